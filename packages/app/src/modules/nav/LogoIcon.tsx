import { makeStyles } from '@material-ui/core';

const useStyles = makeStyles({
  svg: {
    width: 'auto',
    height: 28,
  },
  stone: {
    fill: '#7df3e1',
  },
});

/** Paved's mark: three offset paving stones, a road seen from above. */
export const LogoIcon = () => {
  const classes = useStyles();

  return (
    <svg
      className={classes.svg}
      xmlns="http://www.w3.org/2000/svg"
      viewBox="0 0 32 32"
      role="img"
      aria-label="Paved"
    >
      <rect
        className={classes.stone}
        x="2"
        y="3"
        width="18"
        height="7"
        rx="2"
      />
      <rect
        className={classes.stone}
        x="12"
        y="12.5"
        width="18"
        height="7"
        rx="2"
      />
      <rect
        className={classes.stone}
        x="2"
        y="22"
        width="18"
        height="7"
        rx="2"
      />
    </svg>
  );
};
