-- Set by billing (Stripe) when a paid subscription runs; the trial needs no subscription.
ALTER TABLE workshops ADD COLUMN subscription_active boolean NOT NULL DEFAULT false;
