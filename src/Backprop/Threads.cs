namespace Backprop;

/// <summary>How many threads Backprop's kernels may use, like torch.set_num_threads.</summary>
public static class Threads
{
    private static int s_count = Environment.ProcessorCount;

    /// <summary>The number of threads a kernel may split its work across; at least 1. Defaults to the processor count.</summary>
    public static int Count
    {
        get => s_count;
        set
        {
            if (value < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Threads.Count: at least one thread is needed.");
            }

            s_count = value;
        }
    }
}
