package dev.fulcrum.lbcore.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnectionQueueTest {

    private final DefaultEventLoopGroup loops = new DefaultEventLoopGroup(2);
    private final AtomicBoolean room = new AtomicBoolean();

    @AfterEach
    void stop() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private EventLoop loop() {
        return loops.next();
    }

    @Test
    void takesNoMoreThanItsCapacity() {
        ConnectionQueue queue = new ConnectionQueue(2, Duration.ofSeconds(10), room::get);
        assertThat(queue.await(loop(), queue.deadlineFromNow(), () -> { }, () -> { })).isTrue();
        assertThat(queue.await(loop(), queue.deadlineFromNow(), () -> { }, () -> { })).isTrue();
        assertThat(queue.await(loop(), queue.deadlineFromNow(), () -> { }, () -> { })).isFalse();
        assertThat(queue.waiting()).isEqualTo(2);
        assertThat(ConnectionQueue.NONE.await(loop(), ConnectionQueue.NONE.deadlineFromNow(), () -> { }, () -> { }))
                .isFalse();
    }

    @Test
    void wakesTheOldestFirstOnItsOwnLoop() {
        ConnectionQueue queue = new ConnectionQueue(10, Duration.ofSeconds(10), room::get);
        List<String> woken = new CopyOnWriteArrayList<>();
        EventLoop first = loop();
        queue.await(first, queue.deadlineFromNow(), () -> woken.add("first:" + first.inEventLoop()), () -> { });
        EventLoop second = loop();
        queue.await(second, queue.deadlineFromNow(), () -> woken.add("second:" + second.inEventLoop()), () -> { });
        queue.roomFreed();
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 1);
        queue.roomFreed();
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 2);
        assertThat(woken).containsExactly("first:true", "second:true");
        assertThat(queue.waiting()).isZero();
    }

    @Test
    void aWaiterIsWokenOrExpiresNeverBoth() {
        ConnectionQueue queue = new ConnectionQueue(10, Duration.ofMillis(100), room::get);
        AtomicInteger woken = new AtomicInteger();
        AtomicInteger expired = new AtomicInteger();
        queue.await(loop(), queue.deadlineFromNow(), woken::incrementAndGet, expired::incrementAndGet);
        await().atMost(Duration.ofSeconds(5)).until(() -> expired.get() == 1);
        queue.roomFreed();
        assertThat(woken.get()).isZero();
        assertThat(queue.waiting()).isZero();
    }

    @Test
    void aWaiterTryingAgainKeepsItsPlaceAndDeadline() {
        ConnectionQueue queue = new ConnectionQueue(10, Duration.ofSeconds(10), room::get);
        List<String> woken = new CopyOnWriteArrayList<>();
        EventLoop loop = loop();
        long deadline = queue.deadlineFromNow();
        queue.await(loop, queue.deadlineFromNow(), () -> woken.add("later"), () -> { });
        assertThat(queue.awaitAgain(loop, deadline, () -> woken.add("again"), () -> { })).isTrue();
        assertThat(queue.awaitAgain(loop, System.nanoTime() - 1, () -> { }, () -> { })).as("past its deadline")
                .isFalse();
        queue.roomFreed();
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 1);
        assertThat(woken).containsExactly("again");
    }

    @Test
    void aWaiterJoiningWhileRoomIsFreeIsWokenAtOnce() {
        room.set(true);
        ConnectionQueue queue = new ConnectionQueue(10, Duration.ofSeconds(10), room::get);
        AtomicInteger woken = new AtomicInteger();
        queue.await(loop(), queue.deadlineFromNow(), woken::incrementAndGet, () -> { });
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.get() == 1);
    }

    @Test
    void everyWaiterIsWokenExactlyOnceUnderConcurrentReleases() throws Exception {
        int waiters = 2_000;
        ConnectionQueue queue = new ConnectionQueue(waiters, Duration.ofSeconds(30), room::get);
        AtomicInteger[] wakes = new AtomicInteger[waiters];
        for (int i = 0; i < waiters; i++) {
            AtomicInteger count = wakes[i] = new AtomicInteger();
            assertThat(queue.await(loop(), queue.deadlineFromNow(), count::incrementAndGet, () -> { })).isTrue();
        }
        ExecutorService releasers = Executors.newFixedThreadPool(4);
        try {
            for (int i = 0; i < waiters + 100; i++) {
                releasers.execute(queue::roomFreed);
            }
        } finally {
            releasers.shutdown();
            assertThat(releasers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (AtomicInteger count : wakes) {
                if (count.get() != 1) {
                    return false;
                }
            }
            return true;
        });
        assertThat(queue.waiting()).isZero();
    }
}
