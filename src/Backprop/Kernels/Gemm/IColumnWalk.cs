namespace Backprop.Kernels;

/// <summary>
/// How a micro-kernel finds A's column for each step of K: the address of A[0, p], its rows a row stride apart.
/// A struct, so that each width's kernel is compiled for it with the walk in registers.
/// </summary>
internal unsafe interface IColumnWalk
{
    /// <summary>The column of the next step (A[0, p] for p = 0, 1, … in turn).</summary>
    float* Next();
}
