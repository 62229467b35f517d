namespace Backprop.NN;

/// <summary>Named tensors in insertion order: a model's (or optimizer's) persistent state.</summary>
public sealed class StateDict : OrderedDictionary<string, Tensor>
{
    /// <summary>Makes an empty state dict.</summary>
    public StateDict()
        : base(StringComparer.Ordinal)
    {
    }
}
