package dev.fulcrum.ha;

import dev.fulcrum.config.VipConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Mastership on a layer-2 network, as keepalived does it: becoming master adds each virtual IP
 * ({@code ip addr add}), announces IPv4 ones with gratuitous ARP ({@code arping -U}, so switches
 * and neighbours learn the new owner at once; IPv6 addresses announce themselves), then runs the
 * notify command. Leaving master removes the virtual IPs first, then notifies. A failing command
 * is logged and the rest still run: a VIP that cannot be removed must not stop the notify.
 */
public final class VipActions implements MasterActions {

    private final List<VipConfig> vips;
    private final Map<String, List<String>> notify;
    private final CommandRunner runner;

    /** @param notify commands by state reached: master, backup, fault */
    public VipActions(List<VipConfig> vips, Map<String, List<String>> notify, CommandRunner runner) {
        this.vips = List.copyOf(vips);
        this.notify = Map.copyOf(notify);
        this.runner = runner;
    }

    @Override
    public void becameMaster(String reason) {
        for (VipConfig vip : vips) {
            runner.run(List.of("ip", "addr", "add", vip.address() + "/" + vip.prefixLength(), "dev", vip.iface()));
            if (!vip.address().contains(":")) {
                runner.run(List.of("arping", "-U", "-c", "3", "-I", vip.iface(), vip.address()));
            }
        }
        notify(HaState.MASTER, reason);
    }

    @Override
    public void leftMaster(HaState now, String reason) {
        for (VipConfig vip : vips) {
            runner.run(List.of("ip", "addr", "del", vip.address() + "/" + vip.prefixLength(), "dev", vip.iface()));
        }
        notify(now, reason);
    }

    @Override
    public void changed(HaState from, HaState to, String reason) {
        notify(to, reason);
    }

    /** The notify command of that state, with the state and reason appended as arguments. */
    private void notify(HaState state, String reason) {
        List<String> command = notify.get(state.key());
        if (command != null) {
            List<String> withContext = new ArrayList<>(command);
            withContext.add(state.key());
            withContext.add(reason);
            runner.run(withContext);
        }
    }
}
