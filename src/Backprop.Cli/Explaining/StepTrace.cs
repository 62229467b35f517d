namespace Backprop.Cli.Explaining;

/// <summary>Everything one training step computed, in order: forward, cost, backward, updates, and the check against autograd.</summary>
/// <param name="Step">The step number, from 1.</param>
/// <param name="Forward">The forward pass, input first.</param>
/// <param name="Cost">The cost line.</param>
/// <param name="Backward">The backward pass, output layer first.</param>
/// <param name="Updates">The parameter updates.</param>
/// <param name="MaxDifference">The largest |hand-derived − autograd| over every parameter gradient.</param>
internal sealed record StepTrace(int Step, IReadOnlyList<TraceLine> Forward, TraceLine Cost, IReadOnlyList<TraceLine> Backward, IReadOnlyList<UpdateLine> Updates, double MaxDifference);
