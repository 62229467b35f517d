using System.Numerics.Tensors;
using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>How many tensors hold gradient hooks; while none does, backward skips looking for them.</summary>
    private static int s_hooked;

    /// <summary>How many tensors hold post-accumulate hooks; while none does, backward does not look for them.</summary>
    private static int s_postHooked;

    /// <summary>Whether any tensor holds a gradient hook now.</summary>
    internal static bool AnyHooks => Volatile.Read(ref s_hooked) > 0;

    /// <summary>Whether this tensor holds gradient hooks.</summary>
    internal bool HasHooks => Hooks is { Gradient.Count: > 0 };

    /// <summary>Whether any tensor holds a post-accumulate hook now.</summary>
    internal static bool AnyPostAccumulateHooks => Volatile.Read(ref s_postHooked) > 0;

    /// <summary>Whether this tensor holds post-accumulate hooks.</summary>
    internal bool HasPostAccumulateHooks => Hooks is { PostAccumulate.Count: > 0 };

    /// <summary>
    /// Adds a hook that backward calls with this tensor's gradient once it is complete (torch.Tensor.register_hook):
    /// it may look at it, or return a tensor of the same shape to use instead (null keeps it). For a leaf the hook
    /// sees the gradient of this backward pass, before it is added into <see cref="Grad"/>.
    /// </summary>
    /// <param name="hook">Receives the gradient; returns a replacement or null.</param>
    /// <returns>A handle; dispose it to remove the hook.</returns>
    public IDisposable RegisterHook(Func<Tensor, Tensor?> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (!_requiresGrad)
        {
            throw new InvalidOperationException($"RegisterHook: the tensor of shape {Shapes.Format(Dims)} does not require grad, so backward never gives it a gradient.");
        }

        if (!HasHooks)
        {
            Interlocked.Increment(ref s_hooked);
        }

        HookListsToAdd.Gradient.Add(hook);
        return new HookHandle(this, hook);
    }

    /// <summary>
    /// Adds a hook that backward calls on this leaf as soon as its <see cref="Grad"/> holds everything the pass
    /// adds to it (torch.Tensor.register_post_accumulate_grad_hook): while the rest of the graph is still being
    /// walked, so that work on finished gradients (sending them to other processes) overlaps the remaining
    /// backward. The hook runs on the thread that called <see cref="Backward()"/>, under no-grad.
    /// </summary>
    /// <param name="hook">Receives this tensor; its <see cref="Grad"/> is complete for this pass.</param>
    /// <returns>A handle; dispose it to remove the hook.</returns>
    public IDisposable RegisterPostAccumulateGradHook(Action<Tensor> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (!_requiresGrad || GradFn is not null)
        {
            throw new InvalidOperationException($"RegisterPostAccumulateGradHook: the tensor of shape {Shapes.Format(Dims)} is not a leaf that requires grad, so no gradient accumulates in it.");
        }

        if (!HasPostAccumulateHooks)
        {
            Interlocked.Increment(ref s_postHooked);
        }

        HookListsToAdd.PostAccumulate.Add(hook);
        return new PostHookHandle(this, hook);
    }

    /// <summary>Runs the post-accumulate hooks, once this leaf's gradient is complete.</summary>
    internal void RunPostAccumulateHooks()
    {
        using (NoGrad())
        {
            foreach (var hook in Hooks!.PostAccumulate.ToArray())
            {
                hook(this);
            }
        }
    }

    /// <summary>Runs the hooks on <paramref name="grad"/> (this tensor's gradient storage), writing a replacement into it.</summary>
    internal void RunHooks(float[] grad)
    {
        foreach (var hook in Hooks!.Gradient.ToArray())
        {
            Tensor? replacement;
            using (NoGrad())
            {
                replacement = hook(new Tensor(grad, Dims));
            }

            if (replacement is null)
            {
                continue;
            }

            if (!replacement.Dims.AsSpan().SequenceEqual(Dims) || replacement._dtype != DType.Float32)
            {
                throw new InvalidOperationException($"RegisterHook: a hook returned {replacement._dtype.Name()} {Shapes.Format(replacement.Dims)} for the gradient of a float32 {Shapes.Format(Dims)} tensor.");
            }

            replacement.Data.AsSpan().CopyTo(grad);
        }
    }

    /// <summary>Runs the hooks on a gradient tensor (in a pass through tensor ops), returning the last replacement or <paramref name="grad"/>.</summary>
    internal Tensor ApplyHooks(Tensor grad)
    {
        foreach (var hook in Hooks!.Gradient.ToArray())
        {
            var replacement = hook(grad);
            if (replacement is null)
            {
                continue;
            }

            if (!replacement.Dims.AsSpan().SequenceEqual(Dims) || replacement._dtype != _dtype)
            {
                throw new InvalidOperationException($"RegisterHook: a hook returned {replacement._dtype.Name()} {Shapes.Format(replacement.Dims)} for the gradient of a {_dtype.Name()} {Shapes.Format(Dims)} tensor.");
            }

            grad = replacement;
        }

        return grad;
    }

    /// <summary>Sets this tensor's gradient aside (for a backward pass whose contributions are to be seen on their own) and clears it.</summary>
    internal (float[]? Data, Tensor? Tensor, bool Owned) StashGrad()
    {
        var stash = (GradData, GradTensor, _gradOwned);
        _gradData = null;
        GradTensor = null;
        _gradOwned = false;
        return stash;
    }

    /// <summary>Takes the gradient this pass gave (owned by the caller afterwards) and puts the stashed one back.</summary>
    internal float[]? TakeGrad((float[]? Data, Tensor? Tensor, bool Owned) stash)
    {
        var fresh = _gradData;
        (_gradData, GradTensor, _gradOwned) = stash;
        return fresh;
    }

    /// <summary>Puts the stashed gradient back with this pass's added into it: how a leaf with hooks accumulates.</summary>
    internal void MergeStashedGrad((float[]? Data, Tensor? Tensor, bool Owned) stash)
    {
        if (stash.Data is null)
        {
            return;
        }

        var fresh = TakeGrad(stash);
        if (fresh is not null)
        {
            TensorPrimitives.Add(_gradData!, fresh, _gradData);
            BufferPool<float>.Return(fresh);
        }
    }

    /// <summary>Sets whether backward keeps this tensor's gradient, returning the previous setting (for Autograd.Grad's intermediate inputs).</summary>
    internal bool RetainGradFlag(bool retain)
    {
        var previous = RetainsGrad;
        RetainsGrad = retain;
        return previous;
    }

    private sealed class HookLists
    {
        public List<Func<Tensor, Tensor?>> Gradient { get; } = [];

        public List<Action<Tensor>> PostAccumulate { get; } = [];
    }

    private sealed class HookHandle(Tensor tensor, Func<Tensor, Tensor?> hook) : IDisposable
    {
        private Tensor? _tensor = tensor;

        public void Dispose()
        {
            if (_tensor?.Hooks?.Gradient is { } hooks && hooks.Remove(hook) && hooks.Count == 0)
            {
                Interlocked.Decrement(ref s_hooked);
            }

            _tensor = null;
        }
    }

    private sealed class PostHookHandle(Tensor tensor, Action<Tensor> hook) : IDisposable
    {
        private Tensor? _tensor = tensor;

        public void Dispose()
        {
            if (_tensor?.Hooks?.PostAccumulate is { } hooks && hooks.Remove(hook) && hooks.Count == 0)
            {
                Interlocked.Decrement(ref s_postHooked);
            }

            _tensor = null;
        }
    }
}
