package dev.fulcrum.l4;

import dev.fulcrum.config.Subnet;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/** A set of networks, asked whether a peer address belongs to one of them. */
final class TrustedPeers {

    static final TrustedPeers NONE = new TrustedPeers(List.of());

    private final IpSubnetFilterRule[] rules;

    TrustedPeers(List<Subnet> subnets) {
        rules = new IpSubnetFilterRule[subnets.size()];
        for (int i = 0; i < rules.length; i++) {
            Subnet subnet = subnets.get(i);
            rules[i] = new IpSubnetFilterRule(subnet.address(), subnet.prefixLength(), IpFilterRuleType.ACCEPT);
        }
    }

    boolean contains(InetAddress peer) {
        if (rules.length == 0 || peer == null) {
            return false;
        }
        InetSocketAddress address = new InetSocketAddress(peer, 0);
        for (IpSubnetFilterRule rule : rules) {
            if (rule.matches(address)) {
                return true;
            }
        }
        return false;
    }
}
