namespace Backprop.Distributed;

/// <summary>
/// A group of processes (ranks) that train together, as torch.distributed's process group: each holds a
/// rank from 0 to <see cref="Size"/> − 1, and every collective operation must be called by every rank, in
/// the same order. The element types are float, double and long (and byte and int for
/// <see cref="Broadcast{T}"/> and <see cref="AllGather{T}"/>). Every operation waits at most
/// <see cref="Timeout"/>; past it, it throws a <see cref="CommunicatorException"/> naming the ranks that
/// stopped answering.
/// </summary>
public interface ICommunicator : IDisposable
{
    /// <summary>This process's rank, from 0 to <see cref="Size"/> − 1; rank 0 prints and writes files.</summary>
    int Rank { get; }

    /// <summary>The number of ranks.</summary>
    int Size { get; }

    /// <summary>What carries the messages, for people: "in-process (1 rank)", "MPICH 4.0.2 (2 ranks)".</summary>
    string Description { get; }

    /// <summary>How long one operation may wait for the other ranks before it gives up.</summary>
    TimeSpan Timeout { get; }

    /// <summary>Combines <paramref name="data"/> over every rank, in place: afterwards each rank holds the result.</summary>
    /// <typeparam name="T">float, double or long.</typeparam>
    /// <param name="data">This rank's values in, the combined values out; the same length on every rank.</param>
    /// <param name="op">How to combine them.</param>
    void AllReduce<T>(Span<T> data, ReduceOp op)
        where T : unmanaged;

    /// <summary>Copies <paramref name="root"/>'s <paramref name="data"/> into every other rank's.</summary>
    /// <typeparam name="T">float, double, long, int or byte.</typeparam>
    /// <param name="data">The values on the root; overwritten on the others. The same length on every rank.</param>
    /// <param name="root">The rank that sends.</param>
    void Broadcast<T>(Span<T> data, int root)
        where T : unmanaged;

    /// <summary>Gathers every rank's <paramref name="send"/> into <paramref name="receive"/>, rank 0's first.</summary>
    /// <typeparam name="T">float, double, long, int or byte.</typeparam>
    /// <param name="send">This rank's values; the same length on every rank.</param>
    /// <param name="receive">Size × send.Length values, in rank order.</param>
    void AllGather<T>(ReadOnlySpan<T> send, Span<T> receive)
        where T : unmanaged;

    /// <summary>Returns once every rank has called it.</summary>
    void Barrier();

    /// <summary>
    /// A communicator over the same ranks with a channel of its own (MPI_Comm_dup), so that operations issued on
    /// it (a background thread's gradient all-reduces) never match those on this one. Dispose it when done.
    /// </summary>
    /// <returns>The new communicator.</returns>
    ICommunicator Duplicate();

    /// <summary>Ends every rank's process with <paramref name="exitCode"/> (MPI_Abort), after an error that leaves the ranks out of step.</summary>
    /// <param name="exitCode">The exit status.</param>
    void Abort(int exitCode);
}
