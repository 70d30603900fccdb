# SPDX-License-Identifier: BSD-3-Clause
"""The [dataplane] section fixture tests run the real binary with: no hugepages, small
pools and flow tables, and a DPDK file prefix and control socket of the test's own."""


def dataplane_section(prefix, control_socket, workers=(1,), **settings):
    """TOML text of [dataplane]; `settings` add keys or replace the defaults below, their
    values given as TOML text (hugepages="true")."""
    keys = {"main_lcore": "0",
            "worker_lcores": "[%s]" % ", ".join(str(w) for w in workers),
            "hugepages": "false", "memory_mb": "256", "file_prefix": f'"{prefix}"',
            "control_socket": f'"{control_socket}"', "mbufs_per_port": "4095",
            "flow_table_size": "4096"}
    keys.update(settings)
    return "\n".join(["[dataplane]"] + [f"{key} = {value}" for key, value in keys.items()]) \
        + "\n\n"
