import type { GatewayConfig } from '../config.js';
import type { Tracing } from './tracing.js';

/**
 * Tracing as the environment asks: none (null, and no OpenTelemetry module loaded) unless
 * OTEL_EXPORTER_OTLP_ENDPOINT is set; then spans go there, named by OTEL_SERVICE_NAME. The exporter itself
 * reads the other standard variables (OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, _COMPRESSION, _CERTIFICATE, …) and
 * OTEL_RESOURCE_ATTRIBUTES is added to every span's resource.
 */
export async function startTracingFromEnv(
  config: Pick<GatewayConfig, 'otelEndpoint' | 'otelServiceName'>,
  logger: { warn(message: string): void },
): Promise<Tracing | null> {
  if (config.otelEndpoint === undefined) return null;
  const { startTracing } = await import('./tracing.js');
  return startTracing({
    endpoint: config.otelEndpoint,
    serviceName: config.otelServiceName,
    onExportFailure: (reason) => logger.warn(`tracing: exports to OTEL_EXPORTER_OTLP_ENDPOINT fail (${reason}); spans are dropped until it answers`),
  });
}
