package org.switchboard.ledger.control;

/** Test access to the resolver's hooks from other packages. */
public final class ResolverHooks {

    private ResolverHooks() {
    }

    public static void afterCommit(Resolver resolver, Runnable hook) {
        resolver.afterCommit = hook;
    }
}
