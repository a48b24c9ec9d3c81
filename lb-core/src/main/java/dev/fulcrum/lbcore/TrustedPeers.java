package dev.fulcrum.lbcore;

import dev.fulcrum.config.Subnet;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A set of networks asked whether a peer belongs to one of them: the balancers whose PROXY
 * headers (tcp) or forwarding headers (http) are believed.
 */
public final class TrustedPeers {

    private final IpSubnetFilterRule[] rules;

    public TrustedPeers(List<Subnet> subnets) {
        rules = new IpSubnetFilterRule[subnets.size()];
        for (int i = 0; i < rules.length; i++) {
            Subnet subnet = subnets.get(i);
            rules[i] = new IpSubnetFilterRule(subnet.address(), subnet.prefixLength(), IpFilterRuleType.ACCEPT);
        }
    }

    public boolean isEmpty() {
        return rules.length == 0;
    }

    /** @param peer null (not an IP connection) is never trusted */
    public boolean contains(InetSocketAddress peer) {
        if (peer == null) {
            return false;
        }
        for (IpSubnetFilterRule rule : rules) {
            if (rule.matches(peer)) {
                return true;
            }
        }
        return false;
    }
}
