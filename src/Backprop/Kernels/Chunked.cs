namespace Backprop.Kernels;

/// <summary>Runs an elementwise kernel over large arrays in contiguous chunks on the kernel threads; small ones stay on the caller.</summary>
internal static class Chunked
{
    /// <summary>Elements from which splitting an elementwise pass across threads pays for the hand-off.</summary>
    public const int ParallelMinimum = 1 << 20;

    /// <summary>Calls body(start, length) over 0..length-1, in one piece or in one chunk per kernel thread.</summary>
    public static void For(int length, Action<int, int> body)
    {
        var parts = Math.Min(Threading.NumThreads, length / ParallelMinimum);
        if (parts < 2 || !WorkerPool.TryRun(parts, part =>
        {
            var start = (int)((long)length * part / parts);
            var end = (int)((long)length * (part + 1) / parts);
            body(start, end - start);
        }))
        {
            body(0, length);
        }
    }
}
