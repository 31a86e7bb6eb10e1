"""Local state in the state directory (``.plansync/``): the publication ledger."""
