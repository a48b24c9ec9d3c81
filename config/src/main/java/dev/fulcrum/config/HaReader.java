package dev.fulcrum.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads the {@code ha} section: the node, its peers, virtual addresses and the commands it runs. */
final class HaReader {

    private final ParseContext ctx;
    private final References refs;

    HaReader(ParseContext ctx, References refs) {
        this.ctx = ctx;
        this.refs = refs;
    }

    HaConfig ha(MapReader r) {
        Optional<String> node = r.required("node", Scalars.name("node"));
        int priority = r.optional("priority", Scalars.integer(1, 255), 100);
        Optional<Endpoint> bind = r.required("bind", NetValues.endpoint(false));
        List<Endpoint> peers = r.list("peers", NetValues.endpoint(false));
        if (r.require("peers")) {
            r.node("peers").filter(n -> n instanceof SequenceNode s && s.getValue().isEmpty())
                    .ifPresent(n -> ctx.error(n, r.path("peers"), "expected at least one peer host:port"));
        }
        Duration advert = r.optional("advert_interval", Scalars.positiveDuration(), HaConfig.DEFAULT_ADVERT_INTERVAL);
        Optional<Path> secret = r.required("secret_file", ctx.files().readableFile("secret file"));
        List<VipConfig> vips = r.sections("vip", "vip", (vr, i) -> {
            Optional<NetValues.Cidr> address = vr.required("address", NetValues.cidr());
            Optional<String> iface = vr.required("interface", NetValues.interfaceName());
            return address.isPresent() && iface.isPresent()
                    ? new VipConfig(address.get().address(), address.get().prefixLength(), iface.get()) : null;
        });
        boolean preempt = r.optional("preempt", Scalars.bool(), true);
        Duration preemptDelay = r.optional("preempt_delay", Scalars.duration(), Duration.ZERO);
        Duration deadAfter = r.optional("dead_after", Scalars.positiveDuration(), advert.multipliedBy(3));
        if (deadAfter.compareTo(advert) <= 0) {
            r.errorAtKey("dead_after", "dead_after " + Durations.format(deadAfter)
                    + " must be longer than advert_interval " + Durations.format(advert));
        }
        Map<String, List<String>> notify = r.section("notify", "ha_notify", nr -> {
            Map<String, List<String>> commands = new LinkedHashMap<>();
            for (String state : List.of("master", "backup", "fault")) {
                List<String> command = nr.list(state, Scalars.string("a command argument"));
                if (!command.isEmpty()) {
                    commands.put(state, command);
                }
            }
            return commands;
        }).orElse(Map.of());
        List<String> track = r.list("track_pools", refs.poolRef());
        Optional<TrackCommand> trackCommand = r.section("track_command", "ha_track_command", this::trackCommand);
        Optional<VipCommand> vipCommand = r.section("vip_command", "ha_vip_command", vr -> {
            List<String> acquire = vr.list("acquire", Scalars.string("a command argument"));
            if (vr.require("acquire") && acquire.isEmpty()) {
                vr.errorAtKey("acquire", "expected a command: a non-empty list of arguments");
            }
            return new VipCommand(acquire, vr.list("release", Scalars.string("a command argument")));
        });
        boolean follow = r.optional("listeners_follow_state", Scalars.bool(), false);
        if (node.isEmpty() || bind.isEmpty() || secret.isEmpty()) {
            return null;
        }
        return new HaConfig(node.get(), priority, bind.get(), peers, advert, secret.get(), vips, preempt, preemptDelay,
                deadAfter, notify, track, trackCommand, vipCommand, follow);
    }

    private TrackCommand trackCommand(MapReader r) {
        List<String> command = r.list("command", Scalars.string("a command argument"));
        if (r.require("command") && command.isEmpty()) {
            r.errorAtKey("command", "expected a command: a non-empty list of arguments");
        }
        Duration interval = r.optional("interval", Scalars.positiveDuration(), TrackCommand.DEFAULT_INTERVAL);
        Duration timeout = r.optional("timeout", Scalars.positiveDuration(), interval);
        if (timeout.compareTo(interval) > 0) {
            r.errorAtKey("timeout", "timeout " + Durations.format(timeout) + " must not be longer than interval "
                    + Durations.format(interval) + ": runs would overlap");
        }
        int fall = r.optional("fall", Scalars.integer(1, 100), 1);
        int rise = r.optional("rise", Scalars.integer(1, 100), 1);
        return new TrackCommand(command, interval, timeout, fall, rise);
    }
}
