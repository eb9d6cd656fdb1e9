"""Input adapters: each input family (a Terraform module, a resource type, a GitOps object) turns
what it reads into the same model records. An adapter never imports a check, and a check never
knows which adapter produced a record (records carry their origin and locations)."""
