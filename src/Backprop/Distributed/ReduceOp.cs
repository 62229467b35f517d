namespace Backprop.Distributed;

/// <summary>How <see cref="ICommunicator.AllReduce{T}"/> combines the ranks' values, element by element.</summary>
public enum ReduceOp
{
    /// <summary>The sum over the ranks.</summary>
    Sum,

    /// <summary>The sum over the ranks divided by their number (floating-point types only).</summary>
    Mean,

    /// <summary>The largest value over the ranks.</summary>
    Max,

    /// <summary>The smallest value over the ranks.</summary>
    Min,
}
