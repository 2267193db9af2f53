# Grafana Cloud credentials and endpoints for the collector, kept in AWS SSM Parameter Store
# (the design's infra/monitoring.tf, with the variables it used declared, basic auth
# instead of a bearer "tenant:key", and one parameter per value so ECS can inject each as a
# secret).
#
#   terraform apply -var environment=dev \
#     -var grafana_cloud_prometheus_user=123456 -var grafana_cloud_instance_id=654321 \
#     -var grafana_cloud_api_key="$GRAFANA_CLOUD_API_KEY" ...

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

variable "environment" {
  description = "Deployment environment: the value of the environment label and of deployment.environment.name."
  type        = string

  validation {
    condition     = contains(["dev", "prod", "staging"], var.environment)
    error_message = "The environment must be one of dev, prod, staging."
  }
}

variable "project" {
  description = "Project name, the prefix of every parameter and resource name."
  type        = string
  default     = "starmates-ai-team"
}

variable "grafana_cloud_api_key" {
  description = "Grafana Cloud access-policy token with metrics:write and logs:write (basic auth password)."
  type        = string
  sensitive   = true
}

variable "grafana_cloud_prometheus_user" {
  description = "Grafana Cloud Prometheus (Mimir) instance id: the basic auth user for remote write."
  type        = string

  validation {
    condition     = can(regex("^[0-9]+$", var.grafana_cloud_prometheus_user))
    error_message = "The Prometheus instance id is numeric."
  }
}

variable "grafana_cloud_instance_id" {
  description = "Grafana Cloud stack instance id: the basic auth user for the OTLP gateway."
  type        = string

  validation {
    condition     = can(regex("^[0-9]+$", var.grafana_cloud_instance_id))
    error_message = "The Grafana Cloud instance id is numeric."
  }
}

variable "grafana_cloud_prometheus_url" {
  description = "Prometheus remote write endpoint of the Grafana Cloud stack."
  type        = string
  default     = "https://prometheus-prod-01-eu-west-0.grafana.net/api/prom/push"
}

variable "grafana_cloud_otlp_endpoint" {
  description = "OTLP/HTTP gateway of the Grafana Cloud stack (logs are sent here)."
  type        = string
  default     = "https://otlp-gateway-prod-eu-west-0.grafana.net/otlp"
}

locals {
  ssm_prefix = "/${var.project}/${var.environment}/monitoring"
}

resource "aws_ssm_parameter" "grafana_cloud_api_key" {
  name        = "${local.ssm_prefix}/grafana-cloud-api-key"
  description = "Grafana Cloud access-policy token (collector basic auth password)"
  type        = "SecureString"
  value       = var.grafana_cloud_api_key
}

resource "aws_ssm_parameter" "grafana_cloud_prometheus_user" {
  name  = "${local.ssm_prefix}/grafana-cloud-prometheus-user"
  type  = "String"
  value = var.grafana_cloud_prometheus_user
}

resource "aws_ssm_parameter" "grafana_cloud_instance_id" {
  name  = "${local.ssm_prefix}/grafana-cloud-instance-id"
  type  = "String"
  value = var.grafana_cloud_instance_id
}

resource "aws_ssm_parameter" "grafana_cloud_config" {
  name = "${local.ssm_prefix}/grafana-cloud-config"
  type = "String"
  value = jsonencode({
    prometheus_url = var.grafana_cloud_prometheus_url
    otlp_endpoint  = var.grafana_cloud_otlp_endpoint
  })
}
