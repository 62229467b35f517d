using System.Collections.Concurrent;
using Backprop.NN;

namespace Backprop.Distributed;

/// <summary>
/// Data-parallel training of a module over several ranks (torch.nn.parallel.DistributedDataParallel): each
/// rank runs forward and backward on its share of the batch, and the gradients are averaged over the ranks
/// before the optimizer steps, so that every rank takes the same step. Parameters and buffers are broadcast
/// from rank 0 when it is made. Gradients travel in buckets of about <c>bucketCapMb</c> MB (the first of at
/// most 1 MB, as PyTorch's, so that sending starts early; a parameter of 256 KB or more in a bucket of its
/// own, sent in place), filled in the order backward finishes them (the output layer's first); each bucket's
/// all-reduce starts on a background thread as soon as it is full, while backward computes the rest, and the
/// last one is sent when backward ends.
/// Every parameter must take part in every backward pass (or call <see cref="SynchronizeGradients"/> after
/// it); the state dict's keys carry the prefix "module.", as PyTorch's do.
/// </summary>
public sealed class DistributedDataParallel : Module<Tensor, Tensor>, IDisposable
{
    private readonly ICommunicator _gradients;
    private readonly GradientBucket[] _buckets;
    private readonly List<IDisposable> _hooks = [];
    private readonly Dictionary<Parameter, string> _names = new(ReferenceEqualityComparer.Instance);
    private readonly bool _broadcastBuffers;
    private readonly bool _overlap;

    /// <summary>The largest first bucket, in floats: 1 MB, as PyTorch's.</summary>
    private const long FirstBucketCapacity = 1024 * 1024 / sizeof(float);

    /// <summary>A parameter of this many floats (256 KB) or more is a bucket of its own, sent without copies.</summary>
    private const long OwnBucket = 64 * 1024;

    /// <summary>Buckets handed to the sender thread, in order.</summary>
    private readonly BlockingCollection<GradientBucket> _queue = [];
    private Thread? _sender;
    private Exception? _senderError;
    private int _sent;
    private int _launched;
    private bool _inBackward;

    /// <summary>Wraps <paramref name="module"/> for training over <paramref name="communicator"/>'s ranks.</summary>
    /// <param name="module">The model; every rank builds the same one.</param>
    /// <param name="communicator">The ranks.</param>
    /// <param name="bucketCapMb">The size of a gradient bucket in megabytes (PyTorch's default, 25).</param>
    /// <param name="broadcastBuffers">Copy rank 0's buffers (BatchNorm's running statistics) to every rank before each forward, as PyTorch does by default.</param>
    /// <param name="overlap">
    /// Send each full bucket from a background thread while backward computes the rest (the default); false sends
    /// them all once backward ends, for machines with no core free for the sending (as many ranks as cores).
    /// </param>
    public DistributedDataParallel(Module<Tensor, Tensor> module, ICommunicator communicator, double bucketCapMb = 25, bool broadcastBuffers = true, bool overlap = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(communicator);
        if (!(bucketCapMb > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(bucketCapMb), bucketCapMb, "DistributedDataParallel: the bucket size must be positive.");
        }

        Module = RegisterModule("module", module);
        Communicator = communicator;
        _broadcastBuffers = broadcastBuffers;
        _overlap = overlap;
        var parameters = module.NamedParameters().Where(p => p.Parameter.RequiresGrad).ToList();
        foreach (var (name, p) in parameters)
        {
            if (p.DType != DType.Float32)
            {
                throw new NotSupportedException($"DistributedDataParallel: parameter '{name}' is {p.DType.Name()}; gradients are averaged in float32.");
            }

            _names[p] = name;
        }

        // Every rank must build the same buckets: check the shapes before any gradient moves.
        communicator.CheckSame("the model's parameters", string.Join(";", parameters.Select(p => $"{p.Name}[{string.Join(",", p.Parameter.Shape)}]")));
        foreach (var (_, p) in parameters)
        {
            communicator.Broadcast(p, 0);
        }

        BroadcastBuffers();
        _buckets = MakeBuckets(parameters.Select(p => p.Parameter).Reverse().ToList(), (long)(bucketCapMb * 1024 * 1024 / sizeof(float)));
        _gradients = communicator.Duplicate();
        foreach (var bucket in _buckets)
        {
            for (var slot = 0; slot < bucket.Parameters.Count; slot++)
            {
                var (b, s) = (bucket, slot);
                _hooks.Add(bucket.Parameters[slot].RegisterPostAccumulateGradHook(_ => Arrived(b, s)));
            }
        }
    }

    /// <summary>The wrapped model.</summary>
    public Module<Tensor, Tensor> Module { get; }

    /// <summary>The ranks.</summary>
    public ICommunicator Communicator { get; }

    /// <summary>The number of gradient buckets.</summary>
    public int BucketCount => _buckets.Length;

    /// <summary>Runs the wrapped model; first copies rank 0's buffers to every rank when asked to.</summary>
    /// <param name="input">This rank's share of the batch.</param>
    /// <returns>The model's output.</returns>
    public override Tensor Forward(Tensor input)
    {
        if (_inBackward)
        {
            var missing = _buckets.Skip(_launched).SelectMany(b => b.MissingNames(_names)).Take(5).ToList();
            throw new InvalidOperationException($"DistributedDataParallel: the last backward pass gave no gradient to {string.Join(", ", missing)}, so the ranks' gradients were not averaged and their weights may differ. Every parameter must take part in the loss, or call SynchronizeGradients() after Backward.");
        }

        if (_broadcastBuffers && Training)
        {
            BroadcastBuffers();
        }

        return Module.Call(input);
    }

    /// <summary>
    /// Finishes averaging this backward pass's gradients: sends the buckets not sent yet (a parameter that got no
    /// gradient counts as zeros) and waits for all of them. Backward calls it by itself once every parameter's
    /// gradient is in; call it after Backward when some parameters did not take part.
    /// </summary>
    public void SynchronizeGradients()
    {
        if (!_inBackward)
        {
            return;
        }

        foreach (var bucket in _buckets.Skip(_launched))
        {
            bucket.AddMissing();
        }

        Launch();
    }

    /// <summary>Removes the hooks and stops the sender thread.</summary>
    public void Dispose()
    {
        foreach (var hook in _hooks)
        {
            hook.Dispose();
        }

        _hooks.Clear();
        _queue.CompleteAdding();
        _sender?.Join();
        _queue.Dispose();
        _gradients.Dispose();
    }

    private static GradientBucket[] MakeBuckets(List<Parameter> parameters, long capacity)
    {
        var buckets = new List<GradientBucket>();
        var current = new List<Parameter>();
        long size = 0;
        foreach (var p in parameters)
        {
            if (current.Count > 0 && (p.Numel >= OwnBucket || size + p.Numel > (buckets.Count == 0 ? Math.Min(capacity, FirstBucketCapacity) : capacity)))
            {
                buckets.Add(new GradientBucket(buckets.Count, current));
                current = [];
                size = 0;
            }

            current.Add(p);
            size += p.Numel;
            if (p.Numel >= OwnBucket)
            {
                buckets.Add(new GradientBucket(buckets.Count, current));
                current = [];
                size = 0;
            }
        }

        if (current.Count > 0)
        {
            buckets.Add(new GradientBucket(buckets.Count, current));
        }

        return [.. buckets];
    }

    private void BroadcastBuffers()
    {
        if (Communicator.Size == 1)
        {
            return;
        }

        foreach (var (_, buffer) in Module.NamedBuffers())
        {
            Communicator.Broadcast(buffer, 0);
        }
    }

    /// <summary>A post-accumulate hook: the parameter in <paramref name="slot"/> of <paramref name="bucket"/> has its gradient.</summary>
    private void Arrived(GradientBucket bucket, int slot)
    {
        if (!_inBackward)
        {
            _inBackward = true;
            _launched = 0;
            _sent = 0;
            foreach (var b in _buckets)
            {
                b.Reset();
            }
        }

        bucket.Add(slot);
        Launch();
    }

    /// <summary>
    /// Sends the full buckets that are next in order: to the sender thread while later ones are still filling (or,
    /// without overlap, all of them once the last is full), the last one from this thread once the others are done;
    /// then writes the averages back and ends the pass.
    /// </summary>
    private void Launch()
    {
        while (_launched < _buckets.Length && _buckets[_launched].Full)
        {
            var bucket = _buckets[_launched++];
            if (_launched < _buckets.Length)
            {
                // Not the last one: to the sender thread now, or held until backward ends.
                if (_overlap)
                {
                    StartSender();
                    _queue.Add(bucket);
                }

                continue;
            }

            if (_overlap)
            {
                WaitForSender();
                _gradients.AllReduce(bucket.Values, ReduceOp.Sum);
            }
            else
            {
                foreach (var held in _buckets)
                {
                    _gradients.AllReduce(held.Values, ReduceOp.Sum);
                }
            }

            var scale = 1f / Communicator.Size;
            foreach (var b in _buckets)
            {
                b.CopyBack(scale);
            }

            _inBackward = false;
        }
    }

    private void StartSender()
    {
        if (_sender is not null)
        {
            return;
        }

        _sender = new Thread(Send) { IsBackground = true, Name = "Backprop DDP gradients" };
        _sender.Start();
    }

    /// <summary>The sender thread: all-reduces the buckets in the order they were queued.</summary>
    private void Send()
    {
        foreach (var bucket in _queue.GetConsumingEnumerable())
        {
            try
            {
                if (Volatile.Read(ref _senderError) is null)
                {
                    _gradients.AllReduce(bucket.Values, ReduceOp.Sum);
                }
            }
            catch (CommunicatorException e)
            {
                Volatile.Write(ref _senderError, e);
            }

            lock (_queue)
            {
                _sent++;
                Monitor.PulseAll(_queue);
            }
        }
    }

    /// <summary>Waits until the sender thread has all-reduced every bucket queued before the last; rethrows its error.</summary>
    private void WaitForSender()
    {
        lock (_queue)
        {
            while (_sent < _launched - 1)
            {
                Monitor.Wait(_queue);
            }
        }

        if (Volatile.Read(ref _senderError) is { } error)
        {
            throw new CommunicatorException(error.Message, error);
        }
    }
}
