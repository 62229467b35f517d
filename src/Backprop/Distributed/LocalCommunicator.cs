namespace Backprop.Distributed;

/// <summary>
/// The communicator of a process that trains alone: one rank, every collective a no-op (an all-reduce leaves
/// the values as they are, an all-gather copies them). The default, so that code written for several ranks runs
/// without MPI.
/// </summary>
public sealed class LocalCommunicator : ICommunicator
{
    /// <inheritdoc/>
    public int Rank => 0;

    /// <inheritdoc/>
    public int Size => 1;

    /// <inheritdoc/>
    public string Description => "in-process (1 rank)";

    /// <inheritdoc/>
    public TimeSpan Timeout => System.Threading.Timeout.InfiniteTimeSpan;

    /// <inheritdoc/>
    public void AllReduce<T>(Span<T> data, ReduceOp op)
        where T : unmanaged => Communicator.CheckReduce<T>(op);

    /// <inheritdoc/>
    public void Broadcast<T>(Span<T> data, int root)
        where T : unmanaged => Communicator.CheckRoot(root, 1);

    /// <inheritdoc/>
    public void AllGather<T>(ReadOnlySpan<T> send, Span<T> receive)
        where T : unmanaged
    {
        Communicator.CheckGather(send.Length, receive.Length, 1);
        send.CopyTo(receive);
    }

    /// <inheritdoc/>
    public void Barrier()
    {
    }

    /// <inheritdoc/>
    public ICommunicator Duplicate() => new LocalCommunicator();

    /// <inheritdoc/>
    public void Abort(int exitCode) => Environment.Exit(exitCode);

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}
