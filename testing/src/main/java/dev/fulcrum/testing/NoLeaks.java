package dev.fulcrum.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class whose tests leaked a Netty buffer. Registered for every test class of a
 * module by JUnit's extension autodetection (a service file and
 * {@code junit.jupiter.extensions.autodetection.enabled=true}), with {@link LeakReports} as the
 * leak detector's appender in the module's logback-test.xml.
 */
public final class NoLeaks implements BeforeAllCallback, AfterAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        LeakReports.reset();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        LeakReports.assertNone();
    }
}
