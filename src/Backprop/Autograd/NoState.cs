namespace Backprop.Autograd;

/// <summary>The state of a <see cref="StateNode{TState}"/> whose backward reads only the op's inputs and output.</summary>
internal readonly struct NoState
{
    /// <summary>The one value.</summary>
    public static readonly NoState Value;
}
