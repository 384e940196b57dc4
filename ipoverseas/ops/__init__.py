"""Operating the app: backups and restores, the load balancer's health check."""
