"""Accounts and logins: passwords (Argon2id, the common-password list), `authentication` (the login
check, lockout, temporary passwords), `password_change`, server-side `sessions` and their cookie
`routes`, `creation` (the one way to add accounts), `users` (administration of accounts and
sub-centres) and each user's `notifications`."""
