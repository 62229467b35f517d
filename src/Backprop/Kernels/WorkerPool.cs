namespace Backprop.Kernels;

/// <summary>
/// The kernels' own worker threads: waking a sleeping thread-pool thread costs tens of microseconds,
/// more than a small matrix product takes, so these workers spin briefly for the next job before they
/// sleep. One job runs at a time; a caller that finds the pool busy (another thread of the user's
/// program is using it) runs its work alone instead of oversubscribing the cores.
/// </summary>
internal static class WorkerPool
{
    private const int SpinIterations = 3000;

    private static readonly Lock Gate = new();
    private static readonly List<Thread> Workers = [];
    private static readonly SemaphoreSlim Wake = new(0);
    private static Action<int>? s_body;
    private static Action<nint, int>? s_stateBody;
    private static nint s_state;
    private static int s_parts;
    private static int s_nextPart;
    private static int s_pending;
    private static long s_generation;
    private static int s_busy;

    /// <summary>
    /// Runs body(0) … body(parts − 1) at the same time on <paramref name="parts"/> threads (the caller is
    /// one of them) and returns when all are done; returns false without running anything when the pool
    /// is already busy.
    /// </summary>
    public static bool TryRun(int parts, Action<int> body) => TryRun(parts, body, null, 0);

    /// <summary>
    /// <see cref="TryRun(int, Action{int})"/> for a body that takes its state as a pointer-sized value, so that
    /// a static lambda serves and a call allocates nothing (the GEMM passes its job this way).
    /// </summary>
    public static bool TryRun(int parts, nint state, Action<nint, int> body) => TryRun(parts, null, body, state);

    private static bool TryRun(int parts, Action<int>? body, Action<nint, int>? stateBody, nint state)
    {
        if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            return false;
        }

        try
        {
            EnsureWorkers(parts - 1);
            s_body = body;
            s_stateBody = stateBody;
            s_state = state;
            s_parts = parts;
            s_nextPart = 1;
            s_pending = parts - 1;
            Interlocked.Increment(ref s_generation);
            Wake.Release(parts - 1);
            Invoke(0);
            var spinner = default(SpinWait);
            while (Volatile.Read(ref s_pending) > 0)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            s_body = null;
            s_stateBody = null;
            return true;
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    private static void EnsureWorkers(int count)
    {
        if (Workers.Count >= count)
        {
            return;
        }

        lock (Gate)
        {
            while (Workers.Count < count)
            {
                var thread = new Thread(Work) { IsBackground = true, Name = "Backprop kernel worker " + Workers.Count };
                Workers.Add(thread);
                thread.Start();
            }
        }
    }

    private static void Work()
    {
        long seen = 0;
        while (true)
        {
            // Spin a little for the next job (kernels come in quick succession), then sleep.
            for (var i = 0; i < SpinIterations && Volatile.Read(ref s_generation) == seen; i++)
            {
                Thread.SpinWait(20);
            }

            Wake.Wait();
            seen = Volatile.Read(ref s_generation);
            var part = Interlocked.Increment(ref s_nextPart) - 1;
            if (part < s_parts)
            {
                Invoke(part);
                Interlocked.Decrement(ref s_pending);
            }
        }
    }

    private static void Invoke(int part)
    {
        if (s_stateBody is { } stateBody)
        {
            stateBody(s_state, part);
        }
        else
        {
            s_body!(part);
        }
    }
}
