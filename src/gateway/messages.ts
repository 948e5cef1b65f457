// Fixed success texts of the reference (spec §2, §4, §6), kept beside ERRORS so tests import both.

export const PAIRED_MESSAGE = 'Save this token — use it as Authorization: Bearer <token>';
export const DUPLICATE_MESSAGE = 'Request already processed for this idempotency key';
export const METRICS_DISABLED_HINT =
  '# Prometheus backend not enabled. Set [observability] backend = "prometheus" in config.';
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
