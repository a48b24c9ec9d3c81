package dev.fulcrum.l7;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a proxy test opens (backends, proxies), closed after each test in reverse order; then
 * the test fails if Netty's leak detector reported a buffer that was never released.
 */
final class LeakCheckedResources implements BeforeEachCallback, AfterEachCallback {

    private final List<AutoCloseable> resources = new ArrayList<>();

    <T extends AutoCloseable> T closing(T resource) {
        resources.add(resource);
        return resource;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        LeakLog.reset();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        resources.clear();
        LeakLog.assertNoLeaks();
    }
}
