#pragma once
// The accept loop every listener runs on its worker. New sockets are handed to `on_flow` with
// their FlowMeta; the loop never blocks and never spins: when the process runs out of file
// descriptors (EMFILE/ENFILE) it pauses accepting for a moment instead of retrying at 100% CPU
// (../shared/SECURITY.md X04), and it ends when the acceptor is closed.

#include "capture/flow_meta.hpp"
#include "capture/packet/reflection_table.hpp"
#include "net/types.hpp"

#include <functional>

namespace warden::capture {

using FlowHandler = std::function<void(net::Socket, FlowMeta)>;

// `reflections`: the packet path's table, where a tun listener finds what its clients dialled.
[[nodiscard]] net::Awaitable<void> accept_loop(
    net::Acceptor& acceptor, CaptureMode mode, FlowHandler on_flow,
    const packet::ReflectionTable* reflections = nullptr);

}  // namespace warden::capture
