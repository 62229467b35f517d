using System.Runtime.CompilerServices;

namespace Backprop.Kernels;

/// <summary>
/// The one way kernels split work across threads: into contiguous, nearly equal shares, run at the same
/// time on the kernel worker pool. Elementwise passes, optimizer steps and the GEMM all split through it.
/// </summary>
internal static class WorkSplitter
{
    /// <summary>Elements from which splitting an elementwise pass across threads pays for the hand-off.</summary>
    public const int ElementwiseMinimum = 1 << 16;

    /// <summary>The same for elementwise functions that cost tens of instructions an element (GELU): they pay for a hand-off far sooner.</summary>
    public const int ComputeBoundMinimum = 1 << 14;

    /// <summary>Share <paramref name="part"/> of <paramref name="parts"/> of 0..total-1, as [Begin, End).</summary>
    public static (int Begin, int End) Range(int total, int part, int parts) =>
        ((int)((long)total * part / parts), (int)((long)total * (part + 1) / parts));

    /// <summary>
    /// Runs body(0) … body(parts − 1) at the same time on <paramref name="parts"/> threads, the caller being
    /// one; false, with nothing run, when the pool is busy with another caller's work.
    /// </summary>
    public static bool TryRun(int parts, Action<int> body) => WorkerPool.TryRun(parts, body);

    /// <summary><see cref="TryRun(int, Action{int})"/> with the body's state as a pointer-sized value, so that a static lambda serves and nothing is allocated.</summary>
    public static bool TryRun(int parts, nint state, Action<nint, int> body) => WorkerPool.TryRun(parts, state, body);

    /// <summary>
    /// Calls body(start, length) over 0..length-1: in one piece when the work is small or the pool is busy,
    /// else in one share per thread, each at least <paramref name="minimumPerPart"/> long. The shares
    /// never overlap, so body may write its share of an output.
    /// </summary>
    public static void For(int length, int minimumPerPart, Action<int, int> body) =>
        For(length, minimumPerPart, body, static (b, start, count) => b(start, count));

    /// <summary>
    /// <see cref="For(int, int, Action{int, int})"/> with the body's state passed along, so that a static
    /// lambda can serve and nothing is allocated when the work stays on the caller's thread.
    /// </summary>
    public static void For<TState>(int length, int minimumPerPart, TState state, Action<TState, int, int> body)
    {
        var parts = Math.Min(Threads.Count, length / minimumPerPart);
        if (parts < 2 || !TryRunShares(length, parts, state, body))
        {
            body(state, 0, length);
        }
    }

    /// <summary>The shares on the pool, described on this stack frame and passed by address, so that splitting allocates nothing either.</summary>
    private static unsafe bool TryRunShares<TState>(int length, int parts, TState state, Action<TState, int, int> body)
    {
        var shares = new Shares<TState>(length, parts, state, body);
        return TryRun(parts, (nint)Unsafe.AsPointer(ref shares), static (handle, part) => Unsafe.AsRef<Shares<TState>>((void*)handle).Run(part));
    }

    /// <summary>A split of 0..Length-1 into Parts shares, each handed to Body with State.</summary>
    private readonly struct Shares<TState>(int length, int parts, TState state, Action<TState, int, int> body)
    {
        /// <summary>Runs share <paramref name="part"/>.</summary>
        public void Run(int part)
        {
            var (begin, end) = Range(length, part, parts);
            body(state, begin, end - begin);
        }
    }
}
