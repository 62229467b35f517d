using Backprop.Distributed;

namespace Backprop.Tests.Distributed;

/// <summary>
/// A group of ranks that are threads of this process, for testing code written against <see cref="ICommunicator"/>
/// without MPI: each collective meets at a barrier, with values exchanged through shared slots.
/// </summary>
internal sealed class ThreadGroup : IDisposable
{
    private readonly Barrier _barrier;
    private readonly object?[] _slots;
    private readonly List<ThreadGroup> _duplicates = [];
    private readonly TimeSpan _timeout;

    public ThreadGroup(int size, TimeSpan? timeout = null)
    {
        Size = size;
        _barrier = new Barrier(size);
        _slots = new object?[size];
        _timeout = timeout ?? TimeSpan.FromSeconds(30);
    }

    public int Size { get; }

    public void Dispose()
    {
        _barrier.Dispose();
        _duplicates.ForEach(d => d.Dispose());
    }

    /// <summary>Runs <paramref name="body"/> on one thread per rank and returns each rank's result, rethrowing the first failure.</summary>
    public static T[] Run<T>(int size, Func<ICommunicator, T> body, TimeSpan? timeout = null)
    {
        using var group = new ThreadGroup(size, timeout);
        var results = new T[size];
        var errors = new Exception?[size];
        var threads = Enumerable.Range(0, size).Select(r => new Thread(() =>
        {
            try
            {
                results[r] = body(group.MemberAt(r));
            }
            catch (Exception e)
            {
                errors[r] = e;
            }
        }, 16 << 20)).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (errors.Any(e => e is not null))
        {
            throw new AggregateException(errors.Where(e => e is not null)!);
        }

        return results;
    }

    public ICommunicator MemberAt(int rank) => new Member(this, rank);

    private ThreadGroup DuplicateFor(int index)
    {
        lock (_duplicates)
        {
            while (_duplicates.Count <= index)
            {
                _duplicates.Add(new ThreadGroup(Size, _timeout));
            }

            return _duplicates[index];
        }
    }

    private void Meet(string operation)
    {
        if (!_barrier.SignalAndWait(_timeout))
        {
            throw new CommunicatorException($"{operation}: the thread group timed out");
        }
    }

    private sealed class Member(ThreadGroup group, int rank) : ICommunicator
    {
        private int _duplicates;

        public int Rank => rank;

        public int Size => group.Size;

        public string Description => $"threads ({group.Size} ranks)";

        public TimeSpan Timeout => group._timeout;

        public void AllReduce<T>(Span<T> data, ReduceOp op)
            where T : unmanaged
        {
            Communicator.CheckReduce<T>(op);
            var mine = data.ToArray();
            group._slots[rank] = mine;
            group.Meet("AllReduce");
            var all = group._slots.Cast<T[]>().ToArray();
            for (var i = 0; i < data.Length; i++)
            {
                var values = all.Select(a => Convert.ToDouble(a[i], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                var result = op switch
                {
                    ReduceOp.Sum => values.Sum(),
                    ReduceOp.Mean => values.Sum() / values.Length,
                    ReduceOp.Max => values.Max(),
                    _ => values.Min(),
                };
                data[i] = typeof(T) == typeof(float) ? (T)(object)(float)result : typeof(T) == typeof(double) ? (T)(object)result : (T)(object)(long)result;
            }

            group.Meet("AllReduce");
        }

        public void Broadcast<T>(Span<T> data, int root)
            where T : unmanaged
        {
            Communicator.CheckRoot(root, group.Size);
            group._slots[rank] = data.ToArray();
            group.Meet("Broadcast");
            ((T[])group._slots[root]!).CopyTo(data);
            group.Meet("Broadcast");
        }

        public void AllGather<T>(ReadOnlySpan<T> send, Span<T> receive)
            where T : unmanaged
        {
            Communicator.CheckGather(send.Length, receive.Length, group.Size);
            group._slots[rank] = send.ToArray();
            group.Meet("AllGather");
            for (var r = 0; r < group.Size; r++)
            {
                ((T[])group._slots[r]!).CopyTo(receive[(r * send.Length)..]);
            }

            group.Meet("AllGather");
        }

        public void Barrier() => group.Meet("Barrier");

        public ICommunicator Duplicate() => group.DuplicateFor(_duplicates++).MemberAt(rank);

        public void Abort(int exitCode) => throw new InvalidOperationException($"rank {rank} aborted with {exitCode}");

        public void Dispose()
        {
        }
    }
}
