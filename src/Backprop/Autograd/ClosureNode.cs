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

/// <summary>A node whose backward is a closure over what it reads: the way to record an op that runs rarely, written as plainly as it reads.</summary>
internal sealed class ClosureNode : Node
{
    private BackwardFn? _backward;
    private GraphBackwardFn? _graphBackward;

    /// <summary>Records the op.</summary>
    /// <param name="op">The op's name.</param>
    /// <param name="inputs">The op's inputs.</param>
    /// <param name="backward">The backward on float32 storage, or null.</param>
    /// <param name="graphBackward">The backward through tensor ops, or null.</param>
    /// <param name="saved">The tensors backward reads.</param>
    /// <param name="outputVersion">The output's version, when backward reads the output.</param>
    public ClosureNode(string op, Tensor[] inputs, BackwardFn? backward, GraphBackwardFn? graphBackward, Tensor[]? saved, int? outputVersion)
        : base(op, inputs, saved, outputVersion)
    {
        _backward = backward;
        _graphBackward = graphBackward;
    }

    /// <inheritdoc/>
    public override bool HasStorageBackward => _backward is not null;

    /// <inheritdoc/>
    protected override bool HasGraphBackward => _graphBackward is not null;

    /// <inheritdoc/>
    protected override void RunStorageBackward(Tensor output, Tensor[] inputs, float[] grad) => _backward!(grad);

    /// <inheritdoc/>
    protected override Tensor?[] RunGraphBackward(Tensor output, Tensor grad, Tensor[] inputs) => _graphBackward!(output, grad, inputs);

    /// <inheritdoc/>
    protected override void FreeBackward()
    {
        _backward = null;
        _graphBackward = null;
    }
}
