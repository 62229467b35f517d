namespace Backprop.Autograd;

/// <summary>What a custom <see cref="Function"/>'s Forward leaves for its Backward: saved tensors, and which inputs need a gradient.</summary>
public sealed class FunctionContext
{
    private readonly Tensor[] _inputs;
    private Tensor[] _saved = [];

    internal FunctionContext(Tensor[] inputs) => _inputs = inputs;

    /// <summary>The tensors saved by <see cref="SaveForBackward"/>; backward refuses to run if one was changed in place since.</summary>
    public IReadOnlyList<Tensor> SavedTensors => _saved;

    /// <summary>Saves tensors that Backward will read (inputs, outputs or intermediates).</summary>
    /// <param name="tensors">The tensors.</param>
    public void SaveForBackward(params Tensor[] tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        _saved = [.. tensors];
    }

    /// <summary>Whether input <paramref name="index"/> requires a gradient, so that Backward may skip the others (return null for them).</summary>
    /// <param name="index">The input's position.</param>
    /// <returns>Whether it needs one.</returns>
    public bool NeedsInputGrad(int index) => _inputs[index].RequiresGrad;

    internal Tensor[] Saved => _saved;
}
