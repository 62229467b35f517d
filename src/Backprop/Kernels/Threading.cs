namespace Backprop.Kernels;

/// <summary>How many threads kernels may use (like torch.set_num_threads).</summary>
public static class Threading
{
    private static int s_numThreads = Environment.ProcessorCount;

    /// <summary>The number of threads a kernel may split its work across; at least 1.</summary>
    public static int NumThreads
    {
        get => s_numThreads;
        set
        {
            if (value < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Threading.NumThreads: at least one thread is needed.");
            }

            s_numThreads = value;
        }
    }
}
