#include "admin/metrics_page.hpp"

#include "observe/prometheus_text.hpp"

namespace warden::admin {

std::string render_metrics(const observe::Metrics::Totals& t, const ServiceFigures& f) {
  using observe::kCaptures;
  using observe::kDecisions;
  observe::PrometheusText out;

  out.family("warden_build_info", "gauge", "Always 1; the version runs as a label.");
  out.sample("warden_build_info", {{"version", f.version}}, std::uint64_t{1});

  out.family("warden_requests_total", "counter",
             "Requests and tunnels finished, by the policy's decision (none: refused before it "
             "could be judged) and how the connection was captured.");
  for (std::size_t d = 0; d < kDecisions.size(); ++d)
    for (std::size_t c = 0; c < kCaptures.size(); ++c)
      if (t.requests[d][c] != 0 || (d == 0 && c == 0))
        out.sample("warden_requests_total",
                   {{"decision", kDecisions[d]}, {"capture", kCaptures[c]}}, t.requests[d][c]);

  out.family("warden_blocks_total", "counter",
             "Blocked requests by the category that blocked them (none: a rule without one).");
  for (const auto& [category, n] : t.blocks)
    out.sample("warden_blocks_total", {{"category", category}}, n);

  out.family("warden_responses_total", "counter",
             "Responses sent to clients by status class (none: the client got no status).");
  for (std::size_t i = 0; i < observe::kStatusClasses.size(); ++i)
    out.sample("warden_responses_total", {{"class", observe::kStatusClasses[i]}}, t.responses[i]);

  out.family("warden_errors_total", "counter",
             "Exchanges that ended in an error, by its ERR_* code (docs/access-log.md).");
  for (const auto& [code, n] : t.errors) out.sample("warden_errors_total", {{"code", code}}, n);

  out.family("warden_tls_handshakes_total", "counter",
             "TLS connections from clients: decrypted (bumped), passed through (spliced), refused "
             "by the policy, or whose handshake with Warden failed.");
  for (std::size_t i = 0; i < observe::kTlsOutcomes.size(); ++i)
    out.sample("warden_tls_handshakes_total", {{"result", observe::kTlsOutcomes[i]}}, t.tls[i]);

  out.family("warden_certificate_cache_total", "counter",
             "Certificate lookups answered from the cache (hit) or by minting (miss).");
  out.sample("warden_certificate_cache_total", {{"result", "hit"}}, f.cert_hits);
  out.sample("warden_certificate_cache_total", {{"result", "miss"}}, f.cert_mints);
  out.family("warden_certificates_cached", "gauge", "Minted certificates held in the cache.");
  out.sample("warden_certificates_cached", {}, f.certs_cached);
  if (f.ca_not_after > 0) {
    out.family("warden_ca_not_after_seconds", "gauge",
               "When the school CA's certificate expires (Unix time).");
    out.sample("warden_ca_not_after_seconds", {}, f.ca_not_after);
  }

  out.histogram("warden_upstream_connect_seconds", "Time to open a TCP connection to an origin.",
                t.upstream_connect);
  out.histogram("warden_upstream_response_seconds",
                "Time from a request sent to an origin (HTTP/1.1) to its response head.",
                t.upstream_response);

  out.family("warden_active_connections", "gauge",
             "Client connections open now, by how they were captured.");
  for (std::size_t c = 0; c < kCaptures.size(); ++c)
    if (t.open_connections[c] != 0 || c == 0)
      out.sample("warden_active_connections", {{"capture", kCaptures[c]}}, t.open_connections[c]);
  out.family("warden_rejected_busy_total", "counter",
             "Connections refused because proxy.max_connections were open.");
  out.sample("warden_rejected_busy_total", {}, f.rejected_busy);
  out.family("warden_h2_streams_total", "counter", "HTTP/2 streams served to clients.");
  out.sample("warden_h2_streams_total", {}, t.h2_streams);

  out.family("warden_policy_reloads_total", "counter",
             "Policy reloads (a watched file changed, SIGHUP) by result; a failed one keeps the "
             "running policy.");
  out.sample("warden_policy_reloads_total", {{"result", "ok"}}, f.policy_reloads_ok);
  out.sample("warden_policy_reloads_total", {{"result", "failed"}}, f.policy_reloads_failed);
  out.family("warden_policy_loaded_seconds", "gauge",
             "When the running policy and its lists were loaded (Unix time).");
  out.sample("warden_policy_loaded_seconds", {}, f.policy_loaded_at);
  out.family("warden_policy_bundle_version", "gauge",
             "The version of the signed policy bundle in force (bundle.url); 0 without one.");
  out.sample("warden_policy_bundle_version", {}, f.policy_bundle_version);
  out.family("warden_list_domains", "gauge", "Domains in each category list of the policy.");
  for (const auto& [category, n] : f.list_domains)
    out.sample("warden_list_domains", {{"category", category}}, n);

  out.family("warden_access_log_lost_lines_total", "counter",
             "Access-log lines that could not be written (disk refused, queue full).");
  out.sample("warden_access_log_lost_lines_total", {}, f.access_log_lost);

  if (f.activity) {
    out.family("warden_activity_rows_total", "counter",
               "Access records for the dashboard's database: written, or dropped (its queue was "
               "full or the disk refused them; the access log has them all).");
    out.sample("warden_activity_rows_total", {{"result", "written"}}, f.activity->first);
    out.sample("warden_activity_rows_total", {{"result", "dropped"}}, f.activity->second);
  }
  if (f.process) {
    out.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    out.sample("process_resident_memory_bytes", {}, f.process->resident_bytes);
    out.family("process_open_fds", "gauge", "Open file descriptors (handles on Windows).");
    out.sample("process_open_fds", {}, f.process->open_fds);
    out.family("process_cpu_seconds_total", "counter", "User and system CPU time spent.");
    out.sample("process_cpu_seconds_total", {}, f.process->cpu_seconds);
    out.family("process_start_time_seconds", "gauge", "When the process started (Unix time).");
    out.sample("process_start_time_seconds", {}, f.process->start_time);
  }
  return out.take();
}

}  // namespace warden::admin
