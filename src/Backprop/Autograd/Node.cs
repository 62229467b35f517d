namespace Backprop.Autograd;

/// <summary>
/// One recorded operation in the autograd graph: its name, its inputs, the tensors its backward reads, and
/// (in a subclass) the code that turns the gradient of its output into gradients for its inputs:
/// <see cref="ClosureNode"/> runs a closure, <see cref="StateNode{TState}"/> a static function on state the node
/// holds (one object per op).
/// </summary>
internal abstract class Node
{
    private Tensor[]? _inputs;
    private Tensor[]? _saved;

    /// <summary>The versions of the first three saved tensors, held in the node (no array per op).</summary>
    private SavedVersions _versions;

    /// <summary>The versions of saved tensors beyond the third, if an op saves that many.</summary>
    private int[]? _moreVersions;

    /// <summary>The output's version when recorded, when backward reads the output; else −1 (an int, not an int?, so that the node is 8 bytes smaller).</summary>
    private readonly int _outputVersion;

    /// <summary>Records the op.</summary>
    /// <param name="op">The op's name.</param>
    /// <param name="inputs">The op's inputs.</param>
    /// <param name="saved">The tensors backward reads, checked for in-place changes before it runs.</param>
    /// <param name="outputVersion">The output's version, when backward reads the output.</param>
    protected Node(string op, Tensor[] inputs, Tensor[]? saved, int? outputVersion)
    {
        Op = op;
        _outputVersion = outputVersion ?? -1;
        _inputs = inputs;
        if (saved is { Length: > 0 })
        {
            _saved = saved;
            _moreVersions = saved.Length > SavedVersions.Length ? new int[saved.Length - SavedVersions.Length] : null;
            for (var i = 0; i < saved.Length; i++)
            {
                SavedVersion(i) = saved[i].Version;
            }
        }
    }

    /// <summary>The op's name, as graphs and error messages show it.</summary>
    public string Op { get; }

    /// <summary>True once a backward pass has walked this node and released it.</summary>
    public bool IsFreed => _inputs is null;

    /// <summary>True when the op has a backward on raw float32 storage, the fast path of <see cref="BackwardEngine"/>.</summary>
    public abstract bool HasStorageBackward { get; }

    /// <summary>True when the op has a backward through tensor ops.</summary>
    protected abstract bool HasGraphBackward { get; }

    /// <summary>The op's inputs (empty once freed).</summary>
    public ReadOnlySpan<Tensor> Inputs => _inputs;

    /// <summary>Throws when a backward pass already released this node.</summary>
    public void ThrowIfFreed(Tensor output)
    {
        if (_inputs is null)
        {
            throw new InvalidOperationException(
                $"Backward: the graph through '{Op}' (output shape {Kernels.Shapes.Format(output.Dims)}) was already freed by an earlier Backward(). " +
                "Pass retainGraph: true to the first Backward call to go through the graph more than once.");
        }
    }

    /// <summary>Throws when a tensor this node's backward reads (its output, inputs or saved values) went back to the pool with its <see cref="TensorScope"/>.</summary>
    public void ThrowIfReleased(Tensor output)
    {
        var released = output.IsReleased ? output : null;
        foreach (var t in Inputs)
        {
            released ??= t.IsReleased ? t : null;
        }

        foreach (var t in _saved ?? [])
        {
            released ??= t.IsReleased ? t : null;
        }

        if (released is not null)
        {
            throw new InvalidOperationException(
                $"Backward: '{Op}' needs a tensor of shape {Kernels.Shapes.Format(released.Dims)} that was made inside a TensorScope that has been disposed. " +
                "Call Backward() before the scope ends.");
        }
    }

    /// <summary>Runs the backward on storage after checking that no saved value changed in place.</summary>
    public void Run(Tensor output, float[] grad)
    {
        CheckSavedVersions(output);
        RunStorageBackward(output, _inputs!, grad);
    }

    /// <summary>Runs the tensor-op backward after the same checks as <see cref="Run"/>; <paramref name="why"/> says what needs it, for the error when the op has none.</summary>
    public Tensor?[] RunGraph(Tensor output, Tensor grad, string why)
    {
        CheckSavedVersions(output);
        if (!HasGraphBackward)
        {
            throw new NotSupportedException(
                $"Backward: '{Op}' (output {output.DType.Name()} {Kernels.Shapes.Format(output.Dims)}) has no backward through tensor ops yet, which {why} needs. " +
                "The ops that have one are listed in docs/README.md, \"Higher-order gradients and float64\".");
        }

        return RunGraphBackward(output, grad, _inputs!);
    }

    /// <summary>The backward on float32 storage (called only when <see cref="HasStorageBackward"/>).</summary>
    /// <param name="output">The op's output.</param>
    /// <param name="inputs">The op's inputs.</param>
    /// <param name="grad">dLoss/dOutput, the output's storage shape.</param>
    protected abstract void RunStorageBackward(Tensor output, Tensor[] inputs, float[] grad);

    /// <summary>The backward through tensor ops (called only when <see cref="HasGraphBackward"/>).</summary>
    /// <param name="output">The op's output.</param>
    /// <param name="grad">dLoss/dOutput.</param>
    /// <param name="inputs">The op's inputs.</param>
    /// <returns>dLoss/dInput for each input (null where an input needs none).</returns>
    protected abstract Tensor?[] RunGraphBackward(Tensor output, Tensor grad, Tensor[] inputs);

    /// <summary>Drops the backward and what it holds, so that its memory can be reclaimed.</summary>
    protected abstract void FreeBackward();

    private void CheckSavedVersions(Tensor output)
    {
        ThrowIfFreed(output);
        if (_outputVersion >= 0 && output.Version != _outputVersion)
        {
            throw new InvalidOperationException(
                $"Backward: '{Op}' needs its output of shape {Kernels.Shapes.Format(output.Dims)} as it was at version {_outputVersion}, " +
                $"but it was modified in place since (now version {output.Version}). Clone it before changing it, or change it after Backward().");
        }

        if (_saved is not null)
        {
            for (var i = 0; i < _saved.Length; i++)
            {
                var now = _saved[i].Version;
                if (now != SavedVersion(i))
                {
                    throw new InvalidOperationException(
                        $"Backward: '{Op}' saved a tensor of shape {Kernels.Shapes.Format(_saved[i].Dims)} at version {SavedVersion(i)} for its gradient, " +
                        $"but it was modified in place since (now version {now}). Clone it before changing it, or change it after Backward().");
                }
            }
        }
    }

    /// <summary>Drops the backward, the inputs and the saved values so that their memory can be reclaimed.</summary>
    public void Free()
    {
        FreeBackward();
        _inputs = null;
        _saved = null;
        _moreVersions = null;
    }

    private ref int SavedVersion(int i) => ref i < SavedVersions.Length ? ref _versions[i] : ref _moreVersions![i - SavedVersions.Length];

    /// <summary>Room for three versions inside the node (most ops save at most three tensors).</summary>
    [System.Runtime.CompilerServices.InlineArray(Length)]
    private struct SavedVersions
    {
        public const int Length = 3;

        private int _element;
    }
}
