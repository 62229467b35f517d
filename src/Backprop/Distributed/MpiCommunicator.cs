using System.Diagnostics;
using System.Runtime.InteropServices;
using Backprop.Distributed.Mpi;

namespace Backprop.Distributed;

/// <summary>
/// A communicator over MPI (MPICH or Open MPI), made by <see cref="Communicator.Mpi"/>. Every collective is
/// started non-blocking and waited for with a deadline: past <see cref="Timeout"/> the waiting rank asks each
/// other rank, on a channel of its own, whether it is still there, and throws a
/// <see cref="CommunicatorException"/> naming those that did not answer. MPI is initialised with
/// MPI_THREAD_SERIALIZED; calls from several threads take turns on one lock.
/// </summary>
public sealed unsafe class MpiCommunicator : ICommunicator
{
    private const int PingTag = 0x5ea1;
    private const int PongTag = 0x5ea2;

    /// <summary>How long a rank that timed out waits for the others to answer its ping.</summary>
    private static readonly TimeSpan s_answerWait = TimeSpan.FromSeconds(2);

    /// <summary>Serialises every MPI call of the process (MPI_THREAD_SERIALIZED).</summary>
    private static readonly Lock s_mpi = new();

    /// <summary>A byte to send as a ping or an answer; native, so that it never moves while a send is in flight.</summary>
    private static readonly byte* s_token = (byte*)NativeMemory.AllocZeroed(16);

    private static bool s_initializedHere;

    private readonly MpiLibrary _mpi;
    private readonly bool _ownsMpi;
    private nint _comm;

    /// <summary>The channel on which timed-out ranks ping each other: never used by the collectives, so a ping cannot match one.</summary>
    private nint _heartbeat;

    private MpiCommunicator(MpiLibrary mpi, nint comm, bool ownsMpi, TimeSpan timeout)
    {
        _mpi = mpi;
        _ownsMpi = ownsMpi;
        Timeout = timeout;
        nint heartbeat = 0;
        lock (s_mpi)
        {
            _comm = Dup(comm);
            Check(mpi.CommDup(_comm, &heartbeat), "MPI_Comm_dup");
            int rank, size;
            Check(mpi.CommRank(_comm, &rank), "MPI_Comm_rank");
            Check(mpi.CommSize(_comm, &size), "MPI_Comm_size");
            Rank = rank;
            Size = size;
        }

        _heartbeat = heartbeat;
        Description = $"{mpi.Version()} ({Size} rank{(Size == 1 ? "" : "s")})";
    }

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size { get; }

    /// <inheritdoc/>
    public string Description { get; }

    /// <inheritdoc/>
    public TimeSpan Timeout { get; }

    /// <summary>Whether the library is Open MPI (else MPICH's ABI family).</summary>
    public bool IsOpenMpi => _mpi.IsOpenMpi;

    /// <summary>Loads and initialises MPI and returns the world's communicator (see <see cref="Communicator.Mpi"/>).</summary>
    internal static MpiCommunicator InitializeWorld(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "MPI: the timeout must be positive.");
        }

        var mpi = MpiLibrary.Load();
        lock (s_mpi)
        {
            int initialized, finalized;
            _ = mpi.Initialized(&initialized);
            _ = mpi.Finalized(&finalized);
            if (finalized != 0)
            {
                throw new CommunicatorException("MPI: MPI was finalised in this process (a world communicator was disposed); it cannot start again.");
            }

            var owns = false;
            if (initialized == 0)
            {
                int argc = 0, provided;
                var code = mpi.InitThread(&argc, null, MpiLibrary.ThreadSerialized, &provided);
                if (code != 0)
                {
                    throw new CommunicatorException($"MPI: MPI_Init_thread failed ({mpi.Name}): {mpi.Describe(code)}.");
                }

                if (provided < MpiLibrary.ThreadSerialized)
                {
                    throw new CommunicatorException($"MPI: {mpi.Name} gives thread level {provided}; Backprop needs MPI_THREAD_SERIALIZED (2) to all-reduce gradients while backward runs.");
                }

                owns = s_initializedHere = true;
            }

            Check(mpi, mpi.CommSetErrhandler(mpi.CommWorld, mpi.ErrorsReturn), "MPI_Comm_set_errhandler");
            return new MpiCommunicator(mpi, mpi.CommWorld, owns, timeout);
        }
    }

    /// <inheritdoc/>
    public void AllReduce<T>(Span<T> data, ReduceOp op)
        where T : unmanaged
    {
        Communicator.CheckReduce<T>(op);
        if (Size == 1 || data.IsEmpty)
        {
            return;
        }

        fixed (T* p = data)
        {
            nint request = 0;
            lock (s_mpi)
            {
                Check(_mpi.Iallreduce((void*)_mpi.InPlace, p, data.Length, _mpi.TypeOf<T>(), _mpi.OpOf(op), _comm, &request), "MPI_Iallreduce");
            }

            Wait(&request, new Operation("AllReduce", data.Length, Names<T>()));
        }

        if (op == ReduceOp.Mean)
        {
            Divide(data, Size);
        }
    }

    /// <inheritdoc/>
    public void Broadcast<T>(Span<T> data, int root)
        where T : unmanaged
    {
        Communicator.CheckRoot(root, Size);
        if (Size == 1 || data.IsEmpty)
        {
            return;
        }

        fixed (T* p = data)
        {
            nint request = 0;
            lock (s_mpi)
            {
                Check(_mpi.Ibcast(p, data.Length, _mpi.TypeOf<T>(), root, _comm, &request), "MPI_Ibcast");
            }

            Wait(&request, new Operation("Broadcast", data.Length, Names<T>(), root));
        }
    }

    /// <inheritdoc/>
    public void AllGather<T>(ReadOnlySpan<T> send, Span<T> receive)
        where T : unmanaged
    {
        Communicator.CheckGather(send.Length, receive.Length, Size);
        fixed (T* s = send)
        fixed (T* r = receive)
        {
            var type = _mpi.TypeOf<T>();
            nint request = 0;
            lock (s_mpi)
            {
                Check(_mpi.Iallgather(s, send.Length, type, r, send.Length, type, _comm, &request), "MPI_Iallgather");
            }

            Wait(&request, new Operation("AllGather", send.Length, Names<T>()));
        }
    }

    /// <inheritdoc/>
    public void Barrier()
    {
        nint request = 0;
        lock (s_mpi)
        {
            Check(_mpi.Ibarrier(_comm, &request), "MPI_Ibarrier");
        }

        Wait(&request, new Operation("Barrier", 0, string.Empty));
    }

    /// <inheritdoc/>
    public ICommunicator Duplicate()
    {
        ObjectDisposedException.ThrowIf(_comm == 0, this);
        return new MpiCommunicator(_mpi, _comm, ownsMpi: false, Timeout);
    }

    /// <inheritdoc/>
    public void Abort(int exitCode)
    {
        lock (s_mpi)
        {
            _ = _mpi.AbortFn(_mpi.CommWorld, exitCode);
        }

        Environment.Exit(exitCode);
    }

    /// <summary>Frees the channels; the world's communicator also finalises MPI.</summary>
    public void Dispose()
    {
        lock (s_mpi)
        {
            if (_comm == 0)
            {
                return;
            }

            var comm = _comm;
            var heartbeat = _heartbeat;
            _ = _mpi.CommFree(&comm);
            _ = _mpi.CommFree(&heartbeat);
            _comm = 0;
            _heartbeat = 0;
            if (_ownsMpi && s_initializedHere)
            {
                _ = _mpi.Finalize();
            }
        }
    }

    private static void Divide<T>(Span<T> data, int size)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(MemoryMarshal.Cast<T, float>(data), 1f / size, MemoryMarshal.Cast<T, float>(data));
        }
        else
        {
            System.Numerics.Tensors.TensorPrimitives.Divide(MemoryMarshal.Cast<T, double>(data), size, MemoryMarshal.Cast<T, double>(data));
        }
    }

    /// <summary>The C# name of an element type, for messages.</summary>
    private static string Names<T>() => typeof(T) == typeof(float) ? "float" : typeof(T) == typeof(double) ? "double" : typeof(T) == typeof(long) ? "long" : typeof(T) == typeof(int) ? "int" : "byte";

    private static void Check(MpiLibrary mpi, int code, string call)
    {
        if (code != 0)
        {
            throw new CommunicatorException($"MPI: {call} failed: {mpi.Describe(code)}.");
        }
    }

    private void Check(int code, string call) => Check(_mpi, code, call);

    private nint Dup(nint comm)
    {
        nint dup = 0;
        Check(_mpi.CommDup(comm, &dup), "MPI_Comm_dup");
        return dup;
    }

    /// <summary>
    /// Waits for <paramref name="request"/>: spinning at first, then yielding, then sleeping a millisecond at a
    /// time while answering other ranks' pings; past <see cref="Timeout"/>, finds who is missing and throws.
    /// </summary>
    private void Wait(nint* request, Operation operation)
    {
        var start = Stopwatch.GetTimestamp();
        for (var polls = 0; ; polls++)
        {
            int done;
            lock (s_mpi)
            {
                var code = _mpi.Test(request, &done, _mpi.StatusIgnore);
                if (code != 0)
                {
                    Check(code, $"MPI_Test ({operation})");
                }
            }

            if (done != 0)
            {
                return;
            }

            if (polls < 64)
            {
                Thread.SpinWait(20);
                continue;
            }

            var waited = Stopwatch.GetElapsedTime(start);
            if (waited < TimeSpan.FromSeconds(1))
            {
                Thread.Yield();
                continue;
            }

            AnswerPings();
            if (waited > Timeout)
            {
                var lost = FindLost();
                var who = lost.Count == 0
                    ? "every other rank still answers, so they are waiting on a different operation (the ranks are out of step)"
                    : $"rank{(lost.Count == 1 ? "" : "s")} {string.Join(", ", lost)} did not answer (stopped, killed, or busy for longer than the timeout)";
                throw new CommunicatorException($"{operation}: rank {Rank} of {Size} waited {waited.TotalSeconds:F0} s (the timeout is {Timeout.TotalSeconds:G} s); {who}.", lost);
            }

            Thread.Sleep(1);
        }
    }

    /// <summary>Answers every ping that has arrived on the heartbeat channel.</summary>
    private void AnswerPings()
    {
        lock (s_mpi)
        {
            for (var r = 0; r < Size; r++)
            {
                int arrived;
                if (r == Rank || _mpi.Iprobe(r, PingTag, _heartbeat, &arrived, _mpi.StatusIgnore) != 0 || arrived == 0)
                {
                    continue;
                }

                _ = _mpi.Recv(s_token + 1, 1, _mpi.Byte, r, PingTag, _heartbeat, _mpi.StatusIgnore);
                Send(r, PongTag);
            }
        }
    }

    /// <summary>Pings every other rank and returns those that do not answer within a short wait.</summary>
    private List<int> FindLost()
    {
        lock (s_mpi)
        {
            for (var r = 0; r < Size; r++)
            {
                if (r != Rank)
                {
                    Send(r, PingTag);
                }
            }
        }

        var answered = new bool[Size];
        answered[Rank] = true;
        var start = Stopwatch.GetTimestamp();
        while (Array.IndexOf(answered, false) >= 0 && Stopwatch.GetElapsedTime(start) < s_answerWait)
        {
            AnswerPings();
            lock (s_mpi)
            {
                for (var r = 0; r < Size; r++)
                {
                    int arrived;
                    if (!answered[r] && _mpi.Iprobe(r, PongTag, _heartbeat, &arrived, _mpi.StatusIgnore) == 0 && arrived != 0)
                    {
                        _ = _mpi.Recv(s_token + 2, 1, _mpi.Byte, r, PongTag, _heartbeat, _mpi.StatusIgnore);
                        answered[r] = true;
                    }
                }
            }

            Thread.Sleep(10);
        }

        return [.. Enumerable.Range(0, Size).Where(r => !answered[r])];
    }

    /// <summary>Sends one byte to <paramref name="rank"/> without waiting for it to be received.</summary>
    private void Send(int rank, int tag)
    {
        nint request = 0;
        if (_mpi.Isend(s_token, 1, _mpi.Byte, rank, tag, _heartbeat, &request) == 0)
        {
            _ = _mpi.RequestFree(&request);
        }
    }

    /// <summary>
    /// What a wait is for, kept as its parts so that the text for people is made only when an error needs it
    /// (the waits of every training step allocate nothing).
    /// </summary>
    private readonly record struct Operation(string Name, int Count, string Type, int Root = -1)
    {
        public override string ToString() => Count == 0 && Root < 0
            ? Name
            : $"{Name} of {Count:N0} {Type} values{(Root >= 0 ? $" from rank {Root}" : string.Empty)}";
    }
}
