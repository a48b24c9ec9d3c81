package dev.fulcrum.ha;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether this node is master, from the adverts it hears, the passing of time and its
 * tracked conditions (VRRP's rules, simplified for a pair):
 * <ul>
 * <li>the node that ranks highest is master: the higher priority, and on a tie the name that
 *     sorts first, so both nodes reach the same verdict;
 * <li>a backup takes over when it has heard no master for {@code deadAfter}, or at once when the
 *     master says it gives up (priority 0: shutting down or in fault);
 * <li>a master that hears another master ranking higher yields: quietly when that node was a
 *     live backup a moment ago (it preempted), loudly as SPLIT BRAIN when it came out of silence
 *     (both were master while adverts did not pass);
 * <li>with {@code preempt}, a backup outranking the master takes over after {@code preemptDelay};
 *     without, a returning node stays backup;
 * <li>a failing tracked condition puts the node in FAULT, advertising priority 0, until it passes.
 * </ul>
 * Single-threaded (the caller's one thread); time comes from the supplied clock, so tests drive it.
 */
public final class HaStateMachine {

    /** Hears every change of state with its reason. */
    @FunctionalInterface
    public interface Listener {
        void transition(HaState from, HaState to, String reason);

        /**
         * This node stays master through a split brain: the other master held the virtual IPs
         * too and neighbours may be sending to it, so they must be claimed again.
         */
        default void reassert(String reason) {
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(HaStateMachine.class);

    private final HaSettings settings;
    private final LongSupplier nanoClock;
    private final Listener listener;
    private HaState state = HaState.INIT;
    private long lastMasterAdvertNanos;
    private Advert master;
    private long outrankingSinceNanos = -1;
    private long backupSinceNanos;
    /** Adverts sent as a working backup since this node last became one. */
    private int backupAdvertsSent;
    private long lastReassertNanos = Long.MIN_VALUE / 2;
    private String fault;
    private boolean shuttingDown;
    /** The last advert of each peer and when it came: a live higher-ranked backup takes over first. */
    private final java.util.Map<String, Advert> peers = new java.util.HashMap<>();
    private final java.util.Map<String, Long> heardNanos = new java.util.HashMap<>();

    public HaStateMachine(HaSettings settings, LongSupplier nanoClock, Listener listener) {
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.listener = listener;
    }

    public HaState state() {
        return state;
    }

    /** The priority this node advertises: 0 while in fault or shutting down. */
    public int advertisedPriority() {
        return state == HaState.FAULT || shuttingDown ? 0 : settings.priority();
    }

    /** INIT to BACKUP: the node listens for a master for {@code deadAfter} before it claims the role. */
    public void start() {
        lastMasterAdvertNanos = nanoClock.getAsLong();
        move(fault != null ? HaState.FAULT : HaState.BACKUP, "started");
    }

    /** A graceful stop: from now on this node advertises priority 0, so its peer takes over at once. */
    public void shutdown() {
        shuttingDown = true;
    }

    /** An authenticated advert from a peer. */
    public void onAdvert(Advert advert) {
        long now = nanoClock.getAsLong();
        boolean wasLiveBackup = isLiveBackup(advert.node(), now);
        boolean backFromSilence = !heardNanos.containsKey(advert.node())
                || now - heardNanos.get(advert.node()) >= settings.deadAfter().toNanos();
        peers.put(advert.node(), advert);
        heardNanos.put(advert.node(), now);
        boolean peerIsMaster = advert.state() == HaState.MASTER;
        if (peerIsMaster) {
            lastMasterAdvertNanos = now;
            master = advert;
        } else if (master != null && master.node().equals(advert.node())) {
            master = null;
        }
        if (state == HaState.FAULT || state == HaState.INIT || shuttingDown) {
            return;
        }
        if (peerIsMaster && advert.priority() == 0 && state == HaState.BACKUP) {
            master = null;
            move(HaState.MASTER, "master " + advert.node() + " gave up (priority 0)");
            return;
        }
        if (state == HaState.MASTER && peerIsMaster && advert.priority() > 0) {
            if (outranks(advert) && wasLiveBackup) {
                // It heard this node as master and preempted it: the normal return of a higher-ranked node.
                move(HaState.BACKUP, "preempted by " + advert.node() + " (priority " + advert.priority() + ")");
            } else if (outranks(advert)) {
                LOG.error("SPLIT BRAIN: {} and {} are both master; {} ranks higher, {} yields", settings.node(),
                        advert.node(), advert.node(), settings.node());
                move(HaState.BACKUP, "split brain: " + advert.node() + " (priority " + advert.priority()
                        + ") is master and ranks higher");
            } else {
                LOG.error("SPLIT BRAIN: {} and {} are both master; {} ranks higher and stays", settings.node(),
                        advert.node(), settings.node());
                // Once per episode: the other master yields on this node's next advert.
                reassert("split brain with " + advert.node(), now);
            }
            return;
        }
        if (state == HaState.MASTER && backFromSilence) {
            // It may have held the addresses while it could not hear this node (a partition, or it
            // came back up): neighbours that followed it must learn this node again.
            reassert("peer " + advert.node() + " heard again", now);
            return;
        }
        if (state == HaState.BACKUP) {
            considerPreempting(now);
        }
    }

    /** Asks for the addresses to be claimed again, at most once per dead_after. */
    private void reassert(String reason, long now) {
        if (now - lastReassertNanos >= settings.deadAfter().toNanos()) {
            lastReassertNanos = now;
            listener.reassert(reason);
        }
    }

    /** Called every advert interval: takes over from a silent master, or preempts a lower-ranked one. */
    public void tick() {
        long now = nanoClock.getAsLong();
        if (state != HaState.BACKUP || shuttingDown) {
            return;
        }
        long silentNanos = now - lastMasterAdvertNanos;
        if (silentNanos >= settings.deadAfter().toNanos() && !aLiveBackupOutranksThisNode(now)) {
            String from = master == null ? "no master heard" : "master " + master.node() + " silent";
            master = null;
            move(HaState.MASTER, from + " for " + silentNanos / 1_000_000 + " ms");
            return;
        }
        considerPreempting(now);
    }

    /** This node has just sent an advert; sent as a working backup, it tells the master so. */
    public void advertSent() {
        if (state == HaState.BACKUP && advertisedPriority() > 0) {
            backupAdvertsSent++;
        }
    }

    /** A tracked condition failed ({@code reason}) or passes again ({@code null}). */
    public void fault(String reason) {
        fault = reason;
        if (reason != null && state != HaState.FAULT && state != HaState.INIT) {
            move(HaState.FAULT, reason);
        } else if (reason == null && state == HaState.FAULT) {
            lastMasterAdvertNanos = nanoClock.getAsLong();
            move(HaState.BACKUP, "tracked conditions pass again");
        }
    }

    /** Whether {@code node}'s last advert, heard within dead_after, said it was a working backup. */
    private boolean isLiveBackup(String node, long now) {
        Advert last = peers.get(node);
        return last != null && last.state() == HaState.BACKUP && last.priority() > 0
                && now - heardNanos.get(node) < settings.deadAfter().toNanos();
    }

    /** When the master is gone, only the highest-ranked live backup takes over: no race between backups. */
    private boolean aLiveBackupOutranksThisNode(long now) {
        for (Advert peer : peers.values()) {
            boolean live = now - heardNanos.get(peer.node()) < settings.deadAfter().toNanos();
            if (live && peer.state() == HaState.BACKUP && peer.priority() > 0 && outranks(peer)) {
                return true;
            }
        }
        return false;
    }

    private void considerPreempting(long now) {
        if (!settings.preempt() || master == null || !outranksMaster()) {
            outrankingSinceNanos = -1;
            return;
        }
        if (outrankingSinceNanos < 0) {
            outrankingSinceNanos = now;
        }
        // Backup for a whole interval first, with two backup adverts out (one may be lost, or
        // late: a just-started process can stall past its first tick), so the master sees a live
        // backup preempting it, not a second master appearing (a split brain).
        boolean announced = backupAdvertsSent >= 2
                && now - backupSinceNanos >= settings.advertInterval().toNanos();
        if (announced && now - outrankingSinceNanos >= settings.preemptDelay().toNanos()) {
            String was = master.node();
            master = null;
            outrankingSinceNanos = -1;
            move(HaState.MASTER, "preempting " + was + ": this node ranks higher");
        }
    }

    private boolean outranksMaster() {
        return master.priority() == 0 || !outranks(master);
    }

    /** True when {@code other} ranks above this node: higher priority, or equal and a name sorting first. */
    private boolean outranks(Advert other) {
        if (other.priority() != settings.priority()) {
            return other.priority() > settings.priority();
        }
        return other.node().compareTo(settings.node()) < 0;
    }

    private void move(HaState to, String reason) {
        HaState from = state;
        if (from == to) {
            return;
        }
        state = to;
        if (to == HaState.BACKUP) {
            backupSinceNanos = nanoClock.getAsLong();
            backupAdvertsSent = 0;
        }
        LOG.warn("ha {}: {} -> {}: {}", settings.node(), from.key(), to.key(), reason);
        listener.transition(from, to, reason);
    }
}
