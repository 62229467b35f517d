namespace Backprop.Cli.Explaining;

/// <summary>One gradient-descent update, W ← W − lr·dW, with the values before and after.</summary>
/// <param name="Name">The parameter ("Wo").</param>
/// <param name="Old">Its value before the step.</param>
/// <param name="Gradient">dC/dParameter.</param>
/// <param name="New">Its value after the step.</param>
internal sealed record UpdateLine(string Name, Tensor Old, Tensor Gradient, Tensor New);
