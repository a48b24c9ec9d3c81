package dev.fulcrum.lbcore;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * WORKAROUND for a Netty 4.2.18 epoll bug: delete this class, and return to
 * {@link EpollIoHandler#newFactory()}, once {@code EpollHalfClosureTest} reports Netty fixed.
 *
 * <p>When a channel's interest ops become 0, Netty deletes its fd from epoll but still takes it as
 * added, so the next non-zero ops fail ({@code EPOLL_CTL_MOD}: {@code ENOENT}) and the channel is
 * closed: a half-closed socket that then writes more than its buffers hold is reset.
 *
 * <p>Here an fd once added is never given 0: it gets {@code EPOLLET} alone, stays in epoll awaiting
 * no readiness, and the next {@code MOD} works. Netty deletes the fd because epoll always reports
 * {@code EPOLLHUP} (on a TCP socket shut down both ways, or reset) and, level-triggered, reports it
 * on every {@code epoll_wait} while Netty's channels ignore it: a spin (netty#16683). Edge-triggered,
 * it is reported once per wake-up of the socket (a state change, an arriving segment), so the loop
 * cannot spin; the {@code EPOLLERR} of a reset reaches the channel as with any interest set.
 * Rejected: re-adding the fd after the delete needs Netty's internals, or a cancel and a new
 * registration, which drops the channel from the loop's registrations in between, so a loop shut
 * down meanwhile would not close it.
 */
final class EpollRegistrationWorkaround implements IoHandler {

    /** Interest in nothing, yet a non-zero value, so Netty keeps the fd in epoll. */
    private static final EpollIoOps PARKED = EpollIoOps.EPOLLET;

    private final IoHandler epoll;

    private EpollRegistrationWorkaround(IoHandler epoll) {
        this.epoll = epoll;
    }

    /** Netty's epoll handler with the workaround applied to every registration. */
    static IoHandlerFactory newFactory() {
        IoHandlerFactory epoll = EpollIoHandler.newFactory();
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor executor) {
                return new EpollRegistrationWorkaround(epoll.newHandler(executor));
            }

            @Override
            public boolean isChangingThreadSupported() {
                return epoll.isChangingThreadSupported();
            }
        };
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        return new KeptRegistration(epoll.register(handle));
    }

    @Override
    public void initialize() {
        epoll.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
        return epoll.run(context);
    }

    @Override
    public void prepareToDestroy() {
        epoll.prepareToDestroy();
    }

    @Override
    public void destroy() {
        epoll.destroy();
    }

    @Override
    public void wakeup() {
        epoll.wakeup();
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return epoll.isCompatible(handleType);
    }

    /**
     * Netty's registration, except that ops 0 park the fd once it was added. Events still reach
     * the handle with Netty's own registration, which Netty's channels do not use.
     */
    private static final class KeptRegistration implements IoRegistration {
        private final IoRegistration registration;
        private boolean added;

        KeptRegistration(IoRegistration registration) {
            this.registration = registration;
        }

        @Override
        public synchronized long submit(IoOps ops) {
            if (!EpollIoOps.NONE.equals(ops)) {
                long submitted = registration.submit(ops);
                added = true;
                return submitted;
            }
            if (!added) {
                // Never added: Netty leaves it out of epoll, which is right.
                return registration.submit(ops);
            }
            return registration.submit(PARKED) == -1 ? -1 : 0;
        }

        @Override
        public <T> T attachment() {
            return registration.attachment();
        }

        @Override
        public boolean isValid() {
            return registration.isValid();
        }

        @Override
        public boolean cancel() {
            return registration.cancel();
        }
    }
}
