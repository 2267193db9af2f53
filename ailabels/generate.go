package ailabels

// The embedded pricing table is generated from the reference price lists
// in internal/refdata and the reviewed decisions in
// internal/pricegen/overrides.json; TestCommittedTableIsGenerated fails
// when pricing.json is not what the generator produces.
//go:generate go run ./internal/pricegen
