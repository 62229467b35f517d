namespace Backprop.Explain;

/// <summary>What a node of a drawn graph stands for.</summary>
public enum GraphNodeKind
{
    /// <summary>A leaf that requires grad: a weight or bias the optimizer learns.</summary>
    Parameter,

    /// <summary>A leaf that needs no gradient: an input or a target.</summary>
    Constant,

    /// <summary>The result of a recorded operation.</summary>
    Operation,
}
