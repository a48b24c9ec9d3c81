package dev.fulcrum.ha;

import dev.fulcrum.config.VipConfig;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The virtual IPs on their interfaces, as keepalived holds them: {@code ip addr replace} on
 * becoming master (idempotent: an address already there is no error), {@code ip addr del} on
 * leaving. IPv6 addresses skip duplicate address detection, so they serve at once.
 */
public final class VirtualAddresses implements MastershipStep {

    private final List<VipConfig> vips;
    private final CommandRunner runner;

    public VirtualAddresses(List<VipConfig> vips, CommandRunner runner) {
        this.vips = List.copyOf(vips);
        this.runner = runner;
    }

    @Override
    public void acquire(String reason) {
        for (VipConfig vip : vips) {
            runner.run(isV6(vip)
                    ? List.of("ip", "addr", "replace", cidr(vip), "dev", vip.iface(), "nodad")
                    : List.of("ip", "addr", "replace", cidr(vip), "dev", vip.iface()));
        }
    }

    @Override
    public void release(HaState now, String reason) {
        for (VipConfig vip : vips) {
            runner.run(List.of("ip", "addr", "del", cidr(vip), "dev", vip.iface()));
        }
    }

    /** A master that crashed left its addresses on the interface: a backup must not hold them. */
    @Override
    public void clearLeftovers() {
        for (VipConfig vip : vips) {
            if (isAssigned(vip)) {
                runner.run(List.of("ip", "addr", "del", cidr(vip), "dev", vip.iface()));
            }
        }
    }

    private static boolean isAssigned(VipConfig vip) {
        try {
            NetworkInterface iface = NetworkInterface.getByName(vip.iface());
            if (iface == null) {
                return false;
            }
            InetAddress address = InetAddress.getByName(vip.address());
            for (InterfaceAddress assigned : iface.getInterfaceAddresses()) {
                if (assigned.getAddress().equals(address)) {
                    return true;
                }
            }
            return false;
        } catch (SocketException | UnknownHostException e) {
            return false;
        }
    }

    private static boolean isV6(VipConfig vip) {
        return vip.address().contains(":");
    }

    private static String cidr(VipConfig vip) {
        return vip.address() + "/" + vip.prefixLength();
    }
}
