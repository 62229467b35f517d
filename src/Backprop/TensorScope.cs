using Backprop.Kernels;

namespace Backprop;

/// <summary>
/// A region of code whose tensors give their storage back to a pool when it ends, so that a training loop
/// reuses the same arrays step after step instead of allocating them (what PyTorch's caching allocator
/// does through reference counts). Every op output made on this thread while the scope is the innermost
/// one belongs to it; dispose it, and those tensors (with the views of them, and the graph through them)
/// refuse use with a clear error. Keep what must outlive the scope with <see cref="Keep"/>; hand it
/// tensors made elsewhere that it may recycle (a batch from a DataLoader) with <see cref="Attach"/>.
/// Tensors made by the creation functions (Zeros, Randn, FromArray …), parameters and gradients are
/// never in a scope (Zeros, Ones and Full take their storage from the pool when it holds an array of that
/// length, so one attached each step is allocated once). Scopes nest; each belongs to the thread that opened it.
/// </summary>
/// <example>
/// <code>
/// foreach (var batch in loader)
/// {
///     using var scope = Tensor.NewScope();
///     scope.Attach(batch.Input);
///     optimizer.ZeroGrad();
///     var loss = lossFunction.Forward(model.Forward(batch.Input), batch.Target);
///     loss.Backward();
///     optimizer.Step();
///     total += loss.Item();
/// }
/// </code>
/// </example>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic]
    private static TensorScope? t_current;

    /// <summary>The list of the last scope disposed on this thread, reused by the next one (a step allocates no new list).</summary>
    [ThreadStatic]
    private static List<Tensor>? t_spareList;

    private readonly List<Tensor> _tensors;
    private readonly TensorScope? _outer;
    private readonly Thread _thread;
    private bool _disposed;

    internal TensorScope()
    {
        _tensors = t_spareList ?? [];
        t_spareList = null;
        _outer = t_current;
        _thread = Thread.CurrentThread;
        t_current = this;
    }

    /// <summary>The innermost open scope of this thread, or null.</summary>
    internal static TensorScope? Current => t_current;

    /// <summary>How many tensors the scope will release.</summary>
    public int Count => _disposed ? 0 : _tensors.Count;

    /// <summary>
    /// Takes a tensor out of this scope so that it outlives it: it moves to the enclosing scope if there is
    /// one, else it becomes an ordinary tensor that the garbage collector reclaims. For a view, the tensor
    /// whose storage it shares is kept.
    /// </summary>
    /// <param name="tensor">A tensor made in this scope, or a view of one.</param>
    /// <returns>The tensor, for chaining.</returns>
    public Tensor Keep(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ThrowIfDisposed("Keep");
        var owner = tensor.StorageOwner;
        if (_tensors.Remove(owner))
        {
            _outer?.Add(owner);
        }

        // A slice's own row-major copy of its elements belongs to the scope too.
        if (tensor.ViewCopyOwner is { } copy && copy != owner && _tensors.Remove(copy))
        {
            _outer?.Add(copy);
        }

        return tensor;
    }

    /// <summary>
    /// Puts a tensor made outside the scope under it, so that its storage is recycled when the scope ends:
    /// only for a tensor that owns its storage and that nothing will use afterwards (a batch the loader
    /// made for this step). A view is refused, since its storage belongs to another tensor.
    /// </summary>
    /// <param name="tensor">The tensor.</param>
    /// <returns>The tensor, for chaining.</returns>
    public Tensor Attach(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ThrowIfDisposed("Attach");
        if (tensor.StorageOwner != tensor)
        {
            throw new ArgumentException($"TensorScope.Attach: the tensor of shape {Shapes.Format(tensor.Dims)} is a view of another tensor's storage; attach that tensor instead.", nameof(tensor));
        }

        if (tensor.RequiresGrad && tensor.IsLeaf)
        {
            throw new ArgumentException($"TensorScope.Attach: the tensor of shape {Shapes.Format(tensor.Dims)} is a leaf that requires grad (a parameter?); a scope must not recycle it.", nameof(tensor));
        }

        if (!_tensors.Contains(tensor))
        {
            _tensors.Add(tensor);
        }

        return tensor;
    }

    /// <summary>Releases the scope's tensors: their storage goes back to the pool, and they refuse use from now on.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        if (t_current != this)
        {
            throw new InvalidOperationException(Thread.CurrentThread != _thread
                ? "TensorScope.Dispose: a scope must be disposed on the thread that opened it."
                : "TensorScope.Dispose: an inner scope is still open; dispose scopes in the reverse order of opening them (a using statement does).");
        }

        _disposed = true;
        t_current = _outer;
        foreach (var tensor in _tensors)
        {
            tensor.Release();
        }

        _tensors.Clear();
        t_spareList = _tensors;
    }

    /// <summary>Adds an op output made while this scope is current.</summary>
    internal void Add(Tensor tensor) => _tensors.Add(tensor);

    private void ThrowIfDisposed(string op)
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(TensorScope), $"TensorScope.{op}: the scope has been disposed.");
        }
    }
}
