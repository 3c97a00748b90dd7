-- The daily prune of the webhook delivery log reads finished deliveries by age.
CREATE INDEX webhook_deliveries_finished_age_idx ON webhook_deliveries (created_at) WHERE status <> 'pending';
