package dev.fulcrum.appliance.admin;

import java.util.concurrent.CompletionStage;

/**
 * What an admin route does. Reads of in-memory state answer at once on the admin event loop;
 * anything that blocks (a reload reads files, resolves names, binds sockets) completes later,
 * from a thread of its own.
 */
@FunctionalInterface
public interface AdminAction {

    CompletionStage<AdminReply> handle(AdminRequest request);
}
