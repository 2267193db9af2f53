# The collector as an ECS Fargate task (the design's infra/ecs.tf, complete): pinned image,
# the collector config from monitoring/otel-collector-config.yml, Grafana Cloud credentials
# injected from SSM (monitoring.tf), logs to CloudWatch.

variable "aws_region" {
  description = "AWS region of the task's CloudWatch log group."
  type        = string
  default     = "eu-west-1"
}

variable "otel_collector_image" {
  description = "Collector image, pinned (never :latest)."
  type        = string
  default     = "otel/opentelemetry-collector-contrib:0.155.0"
}

variable "otel_collector_cpu" {
  description = "Task CPU units (Fargate: 256, 512, 1024, ...)."
  type        = number
  default     = 512
}

variable "otel_collector_memory" {
  description = "Task memory in MiB; memory_limiter is set below it."
  type        = number
  default     = 1024
}

variable "jaeger_otlp_endpoint" {
  description = "host:port of the Jaeger OTLP/gRPC receiver the collector sends traces to."
  type        = string
  default     = "jaeger.starmates-ai-team.local:4317"
}

variable "log_retention_days" {
  description = "CloudWatch retention of the collector's own logs."
  type        = number
  default     = 14
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "otel_collector_execution" {
  name               = "${var.project}-otel-collector-exec-${var.environment}"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy_attachment" "otel_collector_execution" {
  role       = aws_iam_role.otel_collector_execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

# The execution role reads exactly the parameters the task injects as secrets.
data "aws_iam_policy_document" "otel_collector_secrets" {
  statement {
    actions = ["ssm:GetParameters"]
    resources = [
      aws_ssm_parameter.grafana_cloud_api_key.arn,
      aws_ssm_parameter.grafana_cloud_prometheus_user.arn,
      aws_ssm_parameter.grafana_cloud_instance_id.arn,
    ]
  }
}

resource "aws_iam_role_policy" "otel_collector_secrets" {
  name   = "read-grafana-cloud-parameters"
  role   = aws_iam_role.otel_collector_execution.id
  policy = data.aws_iam_policy_document.otel_collector_secrets.json
}

resource "aws_cloudwatch_log_group" "otel_collector" {
  name              = "/ecs/${var.project}/otel-collector-${var.environment}"
  retention_in_days = var.log_retention_days
}

resource "aws_ecs_task_definition" "otel_collector" {
  family                   = "${var.project}-otel-collector-${var.environment}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.otel_collector_cpu
  memory                   = var.otel_collector_memory
  execution_role_arn       = aws_iam_role.otel_collector_execution.arn

  container_definitions = jsonencode([{
    name      = "otel-collector"
    image     = var.otel_collector_image
    essential = true
    # The config travels in an environment variable and is read by the yaml: provider.
    command = ["--config=env:OTELCOL_CONFIG"]
    portMappings = [
      { containerPort = 4317, protocol = "tcp" },
      { containerPort = 4318, protocol = "tcp" },
      { containerPort = 13133, protocol = "tcp" },
    ]
    environment = [
      { name = "ENVIRONMENT", value = var.environment },
      { name = "OTELCOL_CONFIG", value = file("${path.module}/../monitoring/otel-collector-config.yml") },
      { name = "OTELCOL_MEMORY_LIMIT_MIB", value = tostring(floor(var.otel_collector_memory * 0.8)) },
      { name = "OTELCOL_MEMORY_SPIKE_MIB", value = tostring(floor(var.otel_collector_memory * 0.2)) },
      { name = "GRAFANA_CLOUD_PROMETHEUS_URL", value = var.grafana_cloud_prometheus_url },
      { name = "GRAFANA_CLOUD_OTLP_ENDPOINT", value = var.grafana_cloud_otlp_endpoint },
      { name = "JAEGER_OTLP_ENDPOINT", value = var.jaeger_otlp_endpoint },
    ]
    secrets = [
      { name = "GRAFANA_CLOUD_API_KEY", valueFrom = aws_ssm_parameter.grafana_cloud_api_key.arn },
      { name = "GRAFANA_CLOUD_PROMETHEUS_USER", valueFrom = aws_ssm_parameter.grafana_cloud_prometheus_user.arn },
      { name = "GRAFANA_CLOUD_INSTANCE_ID", valueFrom = aws_ssm_parameter.grafana_cloud_instance_id.arn },
    ]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.otel_collector.name
        awslogs-region        = var.aws_region
        awslogs-stream-prefix = "otel-collector"
      }
    }
  }])
}
