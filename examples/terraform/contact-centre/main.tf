# A claims bot for a health insurer's contact centre, written as most teams
# write Terraform: HCL, variables in their own file, a policy in jsonencode.

locals {
  tags = {
    DataClassification = "PHI"
    Owner              = "claims-platform"
    Environment        = var.environment
  }
}

resource "aws_iam_role" "lex" {
  name = "claims-bot-${var.environment}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lexv2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_lexv2models_bot" "claims" {
  name                        = "claims-${var.environment}"
  role_arn                    = aws_iam_role.lex.arn
  idle_session_ttl_in_seconds = var.session_ttl
  tags                        = local.tags

  data_privacy {
    child_directed = false
  }
}

resource "awscc_lex_resource_policy" "claims" {
  resource_arn = "arn:aws:lex:us-east-1:111122223333:bot/ABCDEFGHIJ"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "lex:RecognizeText"
      Resource  = "*"
    }]
  })
}
