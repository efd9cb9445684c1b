variable "environment" {
  type    = string
  default = "prod"
}

variable "session_ttl" {
  description = "Idle session timeout of the claims bot, in seconds."
  type        = number
  default     = 1800
}
