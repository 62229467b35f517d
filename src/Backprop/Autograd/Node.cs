namespace Backprop.Autograd;

/// <summary>Sends the gradient of an op's output to the op's inputs.</summary>
/// <param name="grad">dLoss/dOutput, shaped like the output (its storage, row-major).</param>
internal delegate void BackwardFn(float[] grad);

/// <summary>
/// Sends the gradient of an op's output to the op's inputs through tensor ops, so that the gradient can have a graph
/// of its own (higher-order gradients) and any floating dtype (float64): how <see cref="GraphEngine"/> runs a node.
/// </summary>
/// <param name="output">The op's output.</param>
/// <param name="grad">dLoss/dOutput, shaped like the output.</param>
/// <param name="inputs">The op's inputs.</param>
/// <returns>dLoss/dInput for each input, shaped like it (null where an input needs none).</returns>
internal delegate Tensor?[] GraphBackwardFn(Tensor output, Tensor grad, Tensor[] inputs);

/// <summary>
/// One recorded operation in the autograd graph: its name, its inputs, and the closure that turns
/// the gradient of its output into gradients for its inputs.
/// </summary>
internal sealed class Node
{
    private Tensor[]? _inputs;
    private BackwardFn? _backward;
    private GraphBackwardFn? _graphBackward;
    private Tensor[]? _saved;

    /// <summary>The versions of the first four saved tensors, held in the node (no array per op).</summary>
    private SavedVersions _versions;

    /// <summary>The versions of saved tensors beyond the fourth, if an op saves that many.</summary>
    private int[]? _moreVersions;

    /// <summary>The output's version when recorded, when backward reads the output; else null.</summary>
    private readonly int? _outputVersion;

    public Node(string op, Tensor[] inputs, BackwardFn? backward, GraphBackwardFn? graphBackward, Tensor[]? saved, int? outputVersion)
    {
        Op = op;
        _outputVersion = outputVersion;
        _inputs = inputs;
        _backward = backward;
        _graphBackward = graphBackward;
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
    public bool HasStorageBackward => _backward is not null;


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

    /// <summary>Runs the backward closure after checking that no saved value changed in place.</summary>
    public void Run(Tensor output, float[] grad)
    {
        CheckSavedVersions(output);
        _backward!(grad);
    }

    /// <summary>Runs the tensor-op backward after the same checks as <see cref="Run"/>; <paramref name="why"/> says what needs it, for the error when the op has none.</summary>
    public Tensor?[] RunGraph(Tensor output, Tensor grad, string why)
    {
        CheckSavedVersions(output);
        if (_graphBackward is null)
        {
            throw new NotSupportedException(
                $"Backward: '{Op}' (output {output.DType.Name()} {Kernels.Shapes.Format(output.Dims)}) has no backward through tensor ops yet, which {why} needs. " +
                "The ops that have one are listed in docs/README.md, \"Higher-order gradients and float64\".");
        }

        return _graphBackward(output, grad, _inputs!);
    }

    private void CheckSavedVersions(Tensor output)
    {
        ThrowIfFreed(output);
        if (_outputVersion is { } recorded && output.Version != recorded)
        {
            throw new InvalidOperationException(
                $"Backward: '{Op}' needs its output of shape {Kernels.Shapes.Format(output.Dims)} as it was at version {recorded}, " +
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

    /// <summary>Drops the closure, the inputs and the saved values so that their memory can be reclaimed.</summary>
    public void Free()
    {
        _backward = null;
        _graphBackward = null;
        _inputs = null;
        _saved = null;
        _moreVersions = null;
    }

    private ref int SavedVersion(int i) => ref i < SavedVersions.Length ? ref _versions[i] : ref _moreVersions![i - SavedVersions.Length];

    /// <summary>Room for four versions inside the node.</summary>
    [System.Runtime.CompilerServices.InlineArray(Length)]
    private struct SavedVersions
    {
        public const int Length = 4;

        private int _element;
    }
}
