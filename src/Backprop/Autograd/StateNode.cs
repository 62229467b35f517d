namespace Backprop.Autograd;

/// <summary>
/// <see cref="BackwardFn"/> for a <see cref="StateNode{TState}"/>: a static function of the state the op recorded, its
/// output and its inputs.
/// </summary>
/// <typeparam name="TState">What the op keeps for backward beyond its inputs and output.</typeparam>
/// <param name="state">That state.</param>
/// <param name="output">The op's output.</param>
/// <param name="inputs">The op's inputs, in the order recorded.</param>
/// <param name="grad">dLoss/dOutput, shaped like the output (its storage, row-major).</param>
internal delegate void BackwardFn<TState>(TState state, Tensor output, Tensor[] inputs, float[] grad);

/// <summary><see cref="GraphBackwardFn"/> for a <see cref="StateNode{TState}"/>.</summary>
/// <typeparam name="TState">What the op keeps for backward.</typeparam>
/// <param name="state">That state.</param>
/// <param name="output">The op's output.</param>
/// <param name="grad">dLoss/dOutput, shaped like the output.</param>
/// <param name="inputs">The op's inputs.</param>
/// <returns>dLoss/dInput for each input, shaped like it (null where an input needs none).</returns>
internal delegate Tensor?[] GraphBackwardFn<TState>(TState state, Tensor output, Tensor grad, Tensor[] inputs);

/// <summary>
/// A node that holds its op's state (a tuple of what backward reads) and runs static backward functions on it, so
/// that recording the op allocates this one object beside the output: no closure and no delegate per call (a static
/// lambda's delegate is made once). The way for the ops a training step runs every time.
/// </summary>
/// <typeparam name="TState">What the op keeps for backward beyond its inputs and output.</typeparam>
internal sealed class StateNode<TState> : Node
{
    private TState _state;
    private BackwardFn<TState>? _backward;
    private GraphBackwardFn<TState>? _graphBackward;

    /// <summary>Records the op.</summary>
    /// <param name="op">The op's name.</param>
    /// <param name="inputs">The op's inputs.</param>
    /// <param name="state">What backward reads beyond the inputs and the output.</param>
    /// <param name="backward">The backward on float32 storage, or null.</param>
    /// <param name="graphBackward">The backward through tensor ops, or null.</param>
    /// <param name="saved">The tensors backward reads.</param>
    /// <param name="outputVersion">The output's version, when backward reads the output.</param>
    public StateNode(string op, Tensor[] inputs, TState state, BackwardFn<TState>? backward, GraphBackwardFn<TState>? graphBackward, Tensor[]? saved, int? outputVersion)
        : base(op, inputs, saved, outputVersion)
    {
        _state = state;
        _backward = backward;
        _graphBackward = graphBackward;
    }

    /// <inheritdoc/>
    public override bool HasStorageBackward => _backward is not null;

    /// <inheritdoc/>
    protected override bool HasGraphBackward => _graphBackward is not null;

    /// <inheritdoc/>
    protected override void RunStorageBackward(Tensor output, Tensor[] inputs, float[] grad) => _backward!(_state, output, inputs, grad);

    /// <inheritdoc/>
    protected override Tensor?[] RunGraphBackward(Tensor output, Tensor grad, Tensor[] inputs) => _graphBackward!(_state, output, grad, inputs);

    /// <inheritdoc/>
    protected override void FreeBackward()
    {
        _state = default!;
        _backward = null;
        _graphBackward = null;
    }
}
