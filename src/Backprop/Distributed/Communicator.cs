namespace Backprop.Distributed;

/// <summary>
/// Where a process finds its communicator: <see cref="Local"/> when it trains alone, or the MPI world when
/// <c>mpiexec</c> (or <c>srun</c>) started it as one of several ranks.
/// </summary>
public static class Communicator
{
    /// <summary>The variables an MPI launcher sets in each rank's environment: Hydra (MPICH), Open MPI, PMIx, Slurm.</summary>
    private static readonly string[] LauncherVariables = ["PMI_RANK", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"];

    /// <summary>The default timeout of an MPI communicator's operations.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The single-rank communicator.</summary>
    public static ICommunicator Local { get; } = new LocalCommunicator();

    /// <summary>Whether an MPI launcher started this process (it set the variables mpiexec or srun set for each rank).</summary>
    public static bool LaunchedByMpi => LauncherVariables.Any(v => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v)));

    /// <summary>
    /// The MPI world: loads the MPI library (MPICH or Open MPI, found by probing; BACKPROP_MPI_LIBRARY names
    /// another), initialises it and returns every rank's communicator. Call it once per process, on every rank;
    /// disposing the result finalises MPI.
    /// </summary>
    /// <param name="timeout">How long an operation waits for the other ranks (null: <see cref="DefaultTimeout"/>).</param>
    /// <returns>The communicator.</returns>
    /// <exception cref="CommunicatorException">No MPI library could be loaded (the message names the packages to install), or MPI_Init failed.</exception>
    public static ICommunicator Mpi(TimeSpan? timeout = null) => MpiCommunicator.InitializeWorld(timeout ?? DefaultTimeout);

    /// <summary>The kernel threads each of <paramref name="localRanks"/> ranks on this machine gets when they share its cores.</summary>
    /// <param name="localRanks">The ranks on this machine (<see cref="CommunicatorExtensions.LocalSize"/>).</param>
    /// <returns>The cores divided among them, at least 1.</returns>
    public static int ThreadsPerRank(int localRanks) => Math.Max(1, Environment.ProcessorCount / Math.Max(1, localRanks));

    /// <summary>
    /// Whether a helper thread (a data loader's prefetch, a gradient sender) has a core of its own: only when this
    /// machine has more cores than its ranks' kernels use (two ranks of one thread on two cores have none to spare).
    /// </summary>
    /// <param name="localRanks">The ranks on this machine (<see cref="CommunicatorExtensions.LocalSize"/>).</param>
    /// <returns>Whether a spare core exists.</returns>
    public static bool HasSpareCore(int localRanks) => Environment.ProcessorCount > localRanks * Threads.Count;

    /// <summary>Throws unless <paramref name="op"/> applies to <typeparamref name="T"/> (the MPI types float, double and long).</summary>
    internal static void CheckReduce<T>(ReduceOp op)
        where T : unmanaged
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double) && typeof(T) != typeof(long))
        {
            throw new NotSupportedException($"AllReduce: {typeof(T).Name} values cannot be reduced; use float, double or long.");
        }

        if (op == ReduceOp.Mean && typeof(T) == typeof(long))
        {
            throw new NotSupportedException("AllReduce: the mean of long values is not a long; reduce with Sum and divide.");
        }

        if (!Enum.IsDefined(op))
        {
            throw new ArgumentOutOfRangeException(nameof(op), op, "AllReduce: not a ReduceOp.");
        }
    }

    /// <summary>Throws unless <paramref name="root"/> is a rank of a group of <paramref name="size"/>.</summary>
    internal static void CheckRoot(int root, int size)
    {
        if ((uint)root >= (uint)size)
        {
            throw new ArgumentOutOfRangeException(nameof(root), root, $"Broadcast: the root must be a rank from 0 to {size - 1}.");
        }
    }

    /// <summary>Throws unless the receive buffer holds one send buffer per rank.</summary>
    internal static void CheckGather(int send, int receive, int size)
    {
        if (receive != (long)send * size)
        {
            throw new ArgumentException($"AllGather: {size} ranks sending {send} values each need a receive buffer of {(long)send * size}, not {receive}.", nameof(receive));
        }
    }
}
