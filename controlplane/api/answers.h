// SPDX-License-Identifier: BSD-3-Clause
// The Answerers of the command table's rows: each answers one parsed command against the
// Model. Call only from the thread that owns the Model (the daemon's main loop).
#pragma once

#include "api/command.h"
#include "api/command_table.h"
#include "api/model.h"
#include "api/privilege.h"

namespace sluice::api {

Reply answer_help(const Command& command, Model& model, Privilege level);
Reply answer_show_info(const Command& command, Model& model, Privilege level);
Reply answer_show_vips(const Command& command, Model& model, Privilege level);
Reply answer_show_backends(const Command& command, Model& model, Privilege level);
Reply answer_show_stats(const Command& command, Model& model, Privilege level);
Reply answer_show_sync(const Command& command, Model& model, Privilege level);
Reply answer_show_health(const Command& command, Model& model, Privilege level);
Reply answer_show_ha(const Command& command, Model& model, Privilege level);
Reply answer_set_backend_state(const Command& command, Model& model, Privilege level);
Reply answer_set_backend_weight(const Command& command, Model& model, Privilege level);
Reply answer_show_bgp(const Command& command, Model& model, Privilege level);
Reply answer_show_floods(const Command& command, Model& model, Privilege level);
Reply answer_set_node(const Command& command, Model& model, Privilege level);
Reply answer_set_vip_announce(const Command& command, Model& model, Privilege level);
Reply answer_reload(const Command& command, Model& model, Privilege level);
Reply answer_trace(const Command& command, Model& model, Privilege level);
Reply answer_show_conns(const Command& command, Model& model, Privilege level);
Reply answer_quit(const Command& command, Model& model, Privilege level);

}  // namespace sluice::api
