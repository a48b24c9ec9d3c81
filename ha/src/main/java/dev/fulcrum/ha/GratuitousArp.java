package dev.fulcrum.ha;

import dev.fulcrum.config.VipConfig;
import java.util.List;

/**
 * Announces the IPv4 virtual IPs with unsolicited ARP ({@code arping -U}), so switches and
 * neighbours send to this node at once instead of when their ARP entries expire. Three
 * announcements a second apart, in the background: one lost packet does not strand clients,
 * and the steps after this one do not wait for them. (IPv6 addresses announce themselves.)
 */
public final class GratuitousArp implements MastershipStep {

    static final int ANNOUNCEMENTS = 3;

    private final List<VipConfig> vips;
    private final CommandRunner runner;

    public GratuitousArp(List<VipConfig> vips, CommandRunner runner) {
        this.vips = vips.stream().filter(vip -> !vip.address().contains(":")).toList();
        this.runner = runner;
    }

    @Override
    public void acquire(String reason) {
        for (VipConfig vip : vips) {
            runner.spawn(List.of("arping", "-U", "-c", Integer.toString(ANNOUNCEMENTS), "-I", vip.iface(),
                    vip.address()));
        }
    }

    /** The other master announced the addresses too: neighbours must learn this node again. */
    @Override
    public void reassert(String reason) {
        acquire(reason);
    }
}
